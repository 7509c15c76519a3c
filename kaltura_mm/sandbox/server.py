"""The HTTP front: stdlib ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive, socket-level faults
(reset mid-body, stall, bandwidth cap), the real response headers, and content download routes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import mimetypes
import random
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kaltura_mm.sandbox import claims, coerce, multirequest, params, response_headers, wire
from kaltura_mm.sandbox.actions import UploadedFile
from kaltura_mm.sandbox.claims import Claim
from kaltura_mm.sandbox.dispatcher import Dispatcher
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.upload_body import Block, BodyTooLarge, read_all, read_multipart

log = logging.getLogger("kaltura_mm.sandbox")
BLOCK = 1 << 20
_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
_NO_CACHE = {
    "Expires": "Sun, 19 Nov 2000 08:52:00 GMT",
    "Cache-Control": "no-store, no-cache, must-revalidate, post-check=0, pre-check=0",
    "Pragma": "no-cache",
}
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": (
        "Server, Content-Length, Content-Range, Date, X-Kaltura, X-Kaltura-Session, X-Me"
    ),
}


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading server that can close idle keep-alive connections on shutdown."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        super().__init__(address, Handler)
        self.dispatcher = dispatcher
        self.closing = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection so ``close_all`` can end it; send small writes at once."""
        # Without TCP_NODELAY a response written as headers then body can wait ~40 ms for the
        # client's delayed ACK (Nagle): that would dominate every small call.
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget a finished connection."""
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_all(self) -> None:
        """Stop serving and end every open connection."""
        self.closing.set()
        self.shutdown()
        self.server_close()
        with self._open_lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Aborted(Exception):
    """The connection was deliberately reset or stalled: send nothing."""


class Handler(BaseHTTPRequestHandler):
    """One connection; requests on it are handled in turn (keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    timeout = 120
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the console quiet; access logs would carry KS strings."""

    def do_OPTIONS(self) -> None:
        """Answer CORS pre-flight requests as the real front controller does."""
        self.send_response(200)
        for name, value in {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Headers": (
                "Origin, X-Requested-With, Content-Type, Accept, Range, Cache-Control"
            ),
            "Access-Control-Allow-Methods": "POST, GET, HEAD, OPTIONS",
            "Access-Control-Max-Age": "86400",
            "Content-Length": "0",
        }.items():
            self.send_header(name, value)
        self.end_headers()

    def do_GET(self) -> None:
        """Serve an API call or content."""
        self._handle()

    def do_POST(self) -> None:
        """Serve an API call."""
        self._handle()

    def do_HEAD(self) -> None:
        """Serve headers only."""
        self._handle()

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def dispatcher(self) -> Dispatcher:
        return self.server.dispatcher

    def _pace(self, sent: int, started: float) -> None:
        bandwidth = self.dispatcher.faults.bandwidth
        if bandwidth:
            ahead = sent / bandwidth - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)

    def _blocks(self, reuse: bool = False) -> Iterator[Block]:
        """Yield the request body in blocks (Content-Length or chunked), paced by bandwidth.

        With ``reuse``, full blocks of a Content-Length body share one buffer, each valid only
        until the next is read (the multipart parser consumes each at once): a fresh 1 MiB
        object per block costs an allocation and the kernel zeroing its pages, a visible share
        of chunk ingest.
        """
        started, got = time.monotonic(), 0
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                remaining = size
                while remaining:
                    block = self.rfile.read(min(BLOCK, remaining))
                    if not block:
                        raise ConnectionError("client closed mid-body")
                    remaining -= len(block)
                    got += len(block)
                    self._pace(got, started)
                    yield block
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        buffer = bytearray(BLOCK) if reuse and length >= BLOCK else None
        while got < length:
            size = min(BLOCK, length - got)
            piece = self._fill(buffer) if buffer and size == BLOCK else self.rfile.read(size)
            if not piece:
                raise ConnectionError("client closed mid-body")
            got += len(piece)
            self._pace(got, started)
            yield piece

    def _fill(self, buffer: bytearray) -> Block:
        """Read exactly ``len(buffer)`` bytes into ``buffer`` (b"" when the client went away)."""
        view, filled = memoryview(buffer), 0
        while filled < len(buffer):
            count = self.rfile.readinto(view[filled:])
            if not count:
                return b""
            filled += count
        return buffer

    def _reset(self, read_some: bool) -> None:
        if read_some:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(min(length // 2, BLOCK))
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        raise _Aborted

    def _apply_fault(self, kind: str | None, body_read: bool) -> None:
        if kind == "reset":
            self._reset(read_some=not body_read)
        if kind == "stall":
            self.server.closing.wait(self.dispatcher.faults.stall_seconds)
            self.close_connection = True
            raise _Aborted
        if kind in ("http500", "http503"):
            if not body_read:
                for _ in self._blocks():
                    pass
            status = 500 if kind == "http500" else 503
            body = f"<html><body><h1>{status}</h1></body></html>".encode()
            self._send(status, "text/html", body, {})
            raise _Aborted

    def _now(self) -> float:
        return self.dispatcher.core.clock.now()

    def date_time_string(self, timestamp: float | None = None) -> str:
        """Stamp the ``Date`` header with the sandbox's clock, which tests may move."""
        return super().date_time_string(self._now() if timestamp is None else timestamp)

    def _send(self, status: int, content_type: str, body: bytes, extra: dict[str, str]) -> None:
        self.send_response(status)
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "X-Kaltura-Session": f"{random.randint(10**8, 10**9)}, {int(self._now())}",
            "X-Me": "kaltura-mm-sandbox",
            **_CORS,
            **_NO_CACHE,
            **extra,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        started = time.monotonic()
        for offset in range(0, len(body), BLOCK):
            piece = body[offset : offset + BLOCK]
            self.wfile.write(piece)
            self._pace(offset + len(piece), started)  # a short JSON answer costs its own bytes

    # -- requests ---------------------------------------------------------------------------

    def _handle(self) -> None:
        self.dispatcher.stats.count_request()
        url = urllib.parse.urlsplit(self.path)
        try:
            if url.path.startswith("/p/"):
                self._content(url.path)
            elif "/api_v3" in url.path:
                self._api(url.path, url.query)
            else:
                self._send(404, "text/plain", b"not found", {})
        except _Aborted:
            return
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True
        finally:
            self.dispatcher.stats.request_ended()

    def _api(self, path: str, query: str) -> None:
        faults = self.dispatcher.faults
        if faults.latency:
            time.sleep(faults.latency)
        url_params = params.url_params(path, query)
        hint = _target(url_params)
        kind = faults.pick(*hint) if hint else None
        self._apply_fault(kind, body_read=False)
        with contextlib.ExitStack() as cleanup:
            merged = params.merge(self._body(url_params, cleanup), url_params)
            target = hint or _target(merged)
            if not hint and target:
                kind = faults.pick(*target)
                self._apply_fault(kind, body_read=True)
            blocked = None
            if kind == "action_blocked" and target:
                blocked = KalturaApiException("ACTION_BLOCKED", target[1], target[0])
            self._respond(merged, blocked, lose_answer=kind == "lost_response")

    def _body(self, url_params: params.Params, cleanup: contextlib.ExitStack) -> params.Params:
        kind = params.body_kind(self.headers.get("Content-Type"))
        blocks = self._blocks(reuse=kind == "multipart")
        try:
            if kind == "multipart":
                return self._multipart(blocks, url_params, cleanup)
            raw = read_all(blocks)
        except BodyTooLarge:
            return {}
        if kind == "json":
            return params.json_body(raw)
        if kind == "form":
            return params.form_body(raw)
        return {}

    def _multipart(
        self, blocks: Iterator[Block], url_params: params.Params, cleanup: contextlib.ExitStack
    ) -> params.Params:
        """Read a multipart body; an upload chunk may be written in place (see ``claims``)."""
        dispatcher = self.dispatcher

        def claim_for(name: str, fields: list[tuple[str, str]]) -> Claim | None:
            if name != "fileData" or any(key == "json" for key, _ in fields):
                return None
            claim = dispatcher.claim_in_place(params.merge(params.nest(fields), url_params))
            if claim is not None:
                cleanup.callback(dispatcher.release, claim)
            return claim

        incoming = dispatcher.core.incoming_dir
        content_type = self.headers["Content-Type"]
        body, claimed = read_multipart(blocks, content_type, incoming, cleanup, claim_for)
        if claimed is None or claimed.claim is None:
            return body
        part, claim = claimed, claimed.claim
        merged = params.merge(body, url_params)
        if merged.get("fileData") is not part:  # a later part replaced it: bytes unused
            dispatcher.release(claim)
        elif not dispatcher.claim_in_place_target(merged):
            body["fileData"] = self._detach(part, claim, cleanup)
        return body

    def _detach(self, part: UploadedFile, claim: Claim, cleanup: contextlib.ExitStack) -> Any:
        """Give a part the later fields sent to another action a file of its own (claims rule 3)."""
        copied = claims.detach(claim, part.size, self.dispatcher.core.incoming_dir)
        cleanup.callback(copied.unlink, missing_ok=True)
        self.dispatcher.release(claim)
        return dataclasses.replace(part, path=copied, claim=None)

    def _respond(
        self,
        merged: params.Params,
        blocked: KalturaApiException | None,
        *,
        lose_answer: bool = False,
    ) -> None:
        started = time.monotonic()
        fmt_raw = merged.get("format")
        fmt = wire.XML if fmt_raw in (None, "") else coerce.to_int(fmt_raw)
        multi = merged.get("service") == "multirequest"
        result: Any
        added: dict[str, str] = {}  # headers the actions set (``response_headers``)
        if fmt not in wire.FORMATS:
            result, fmt, multi = (
                KalturaApiException("UNKNOWN_RESPONSE_FORMAT", fmt_raw),
                wire.XML,
                False,
            )
        elif blocked is not None:
            result, multi = blocked, False
        elif multi:
            with response_headers.collect() as added:
                result = self._guarded(lambda: multirequest.run(self.dispatcher, merged))
            multi = isinstance(result, list)
        else:
            with response_headers.collect() as added:
                result = self._guarded(lambda: self.dispatcher.call(merged))
        callback = str(merged.get("callback", "callback"))
        ignore_null = coerce.to_bool(merged.get("ignoreNull", ""))
        body = wire.render(result, fmt, time.monotonic() - started, multi, callback, ignore_null)
        if lose_answer:  # the call ran and changed state; the client never learns how it went
            self._reset(read_some=False)
        self._send(200, wire.content_type(fmt), body, added)

    @staticmethod
    def _guarded(run: Any) -> Any:
        try:
            return run()
        except KalturaApiException as error:
            return error
        except Exception:
            # Never a traceback to the client: the real front controller maps it like this.
            log.exception("unexpected error in the sandbox")
            return KalturaApiException("INTERNAL_SERVERL_ERROR")

    def _content(self, path: str) -> None:
        parts = path.strip("/").split("/")
        pairs = dict(zip(parts[5::2], parts[6::2], strict=False))
        entry_id = pairs.get("entryId") or pairs.get("entry_id")
        row = None
        if entry_id and len(parts) > 1:
            row = self.dispatcher.core.store.one(
                "SELECT * FROM entries WHERE id = ? AND partner_id = ? AND status != 3",
                (entry_id, coerce.to_int(parts[1])),
            )
        for _ in self._blocks():
            pass
        if row is None:
            self._send(404, "text/plain", b"entry not found", {})
        elif parts[4:5] == ["thumbnail"]:
            self._send(200, "image/png", _PIXEL_PNG, {})
        elif row["content_path"] is None:
            self._send(404, "text/plain", b"entry has no content", {})
        else:
            content = self.dispatcher.core.content_dir / row["content_path"]
            self._stream_file(content, row["file_name"])

    def _stream_file(self, path: Path, file_name: str | None) -> None:
        size = path.stat().st_size
        self.send_response(200)
        kind = mimetypes.guess_type(file_name or "")[0] or "application/octet-stream"
        for name, value in {"Content-Type": kind, "Content-Length": str(size), **_CORS}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        started, sent = time.monotonic(), 0
        with path.open("rb") as f:
            while block := f.read(BLOCK):
                self.wfile.write(block)
                sent += len(block)
                self._pace(sent, started)


def _target(values: params.Params) -> tuple[str, str] | None:
    service = values.get("service")
    if not isinstance(service, str) or not service:
        return None
    action = values.get("action")
    return service, action if isinstance(action, str) else ""
