"""HTTP as plain values: what a driver sends the model and what comes back.

No sockets: a request is (method, URL path and query, headers, body bytes) and a response is
(status, headers, body bytes), so the same values can come from the client's runtime, from a
reference driver or from a test.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request as the server would receive it."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def path(self) -> str:
        """Return the URL's path."""
        return urllib.parse.urlsplit(self.url).path

    @property
    def query(self) -> str:
        """Return the URL's query string."""
        return urllib.parse.urlsplit(self.url).query

    def header(self, name: str) -> str | None:
        """Return a header's value (case-insensitive name) or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One HTTP response: status, headers and body bytes."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """Decode the body as JSON."""
        return json.loads(self.body)


def json_request(
    service_url: str, service: str, action: str, params: Mapping[str, Any]
) -> HttpRequest:
    """Build ``POST /api_v3/service/{service}/action/{action}`` with a JSON body."""
    url = f"{service_url.rstrip('/')}/api_v3/service/{service}/action/{action}"
    body = json.dumps(params, separators=(",", ":")).encode()
    return HttpRequest("POST", url, {"Content-Type": "application/json"}, body)


def multipart_request(
    service_url: str,
    service: str,
    action: str,
    params: Mapping[str, Any],
    files: Mapping[str, tuple[str, bytes]],
    boundary: str = "simulation-boundary-7d1e",
) -> HttpRequest:
    """Build a multipart request: a ``json`` field with the params, then one part per file."""
    url = f"{service_url.rstrip('/')}/api_v3/service/{service}/action/{action}"
    dash = f"--{boundary}".encode()
    parts = [
        dash
        + b'\r\nContent-Disposition: form-data; name="json"\r\n\r\n'
        + json.dumps(params, separators=(",", ":")).encode()
    ]
    for name, (filename, data) in files.items():
        disposition = f'form-data; name="{name}"; filename="{filename}"'.encode()
        parts.append(
            dash
            + b"\r\nContent-Disposition: "
            + disposition
            + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + data
        )
    body = b"\r\n".join(parts) + b"\r\n" + dash + b"--\r\n"
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return HttpRequest("POST", url, headers, body)
