"""``ScriptedServer``: a loopback HTTP server that answers every request with one fixed reply.

It stands in for what is not Kaltura: a proxy's HTML error page, a truncated JSON body, a 413 or
a storm of 429s. It counts the requests it got, so a scenario can prove retries were bounded.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class ScriptedServer:
    """Answer every request with ``status``, ``body`` and ``content_type``."""

    def __init__(
        self, status: int, body: bytes, content_type: str = "application/json", **headers: str
    ) -> None:
        """Remember the reply; ``start`` (or ``with``) begins serving on 127.0.0.1."""
        self.requests = 0
        reply = (status, body, {"Content-Type": content_type, **headers})
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.requests += 1
                code, payload, extra = reply
                self.send_response(code)
                for name, value in {**extra, "Content-Length": str(len(payload))}.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ScriptedServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def closed_port_url() -> str:
    """Return a loopback URL where nothing listens (the port was bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
