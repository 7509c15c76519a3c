"""Helpers for the sandbox tests: a raw-httpx API caller (no kaltura_mm client code: the sandbox
and the client must agree only through the spec)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from kaltura_mm.sandbox import Sandbox


class Api:
    """Call the sandbox with JSON bodies (``format=1``) or multipart, as any client would."""

    def __init__(self, sandbox: Sandbox, ks: str | None) -> None:
        self.sandbox = sandbox
        self.ks = ks
        self.http = httpx.Client(base_url=sandbox.service_url + "/api_v3", timeout=30)

    def call(self, service: str, action: str, **params: Any) -> Any:
        """POST one action as JSON and return the decoded result."""
        body = {"format": 1, **({"ks": self.ks} if self.ks else {}), **params}
        response = self.http.post(f"/service/{service}/action/{action}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def upload(
        self,
        token_id: str,
        data: bytes,
        *,
        resume: bool = False,
        final: bool = True,
        resume_at: int = -1,
        filename: str = "clip.mp4",
    ) -> Any:
        """Send one uploadToken.upload part as multipart form fields plus the file."""
        fields = {
            "format": "1",
            "uploadTokenId": token_id,
            "resume": str(resume).lower(),
            "finalChunk": str(final).lower(),
            "resumeAt": str(resume_at),
        }
        if self.ks:
            fields["ks"] = self.ks
        response = self.http.post(
            "/service/uploadtoken/action/upload", data=fields, files={"fileData": (filename, data)}
        )
        assert response.status_code == 200, response.text
        return response.json()

    def new_entry(self, name: str = "clip", **extra: Any) -> dict[str, Any]:
        """Add a media entry without content."""
        entry = {"objectType": "KalturaMediaEntry", "name": name, "mediaType": 1, **extra}
        result: dict[str, Any] = self.call("baseEntry", "add", entry=entry)
        return result

    def ready_entry(self, data: bytes, name: str = "clip", filename: str = "clip.mp4") -> str:
        """Upload ``data`` into a new entry and wait until it is READY; return its id."""
        entry = self.new_entry(name)
        token = self.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
        self.upload(token["id"], data, filename=filename)
        self.call(
            "baseEntry",
            "addContent",
            entryId=entry["id"],
            resource={"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]},
        )
        wait_for_status(self, entry["id"], 2)
        return str(entry["id"])

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()


def wait_for_status(api: Api, entry_id: str, status: int, timeout: float = 10) -> dict[str, Any]:
    """Poll baseEntry.get until the entry reaches ``status`` (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        entry: dict[str, Any] = api.call("baseEntry", "get", entryId=entry_id)
        if entry.get("status") == status or time.monotonic() > deadline:
            return entry
        time.sleep(0.02)


def is_error(result: Any, code: str) -> bool:
    """Return True when ``result`` is a KalturaAPIException with ``code``."""
    return (
        isinstance(result, dict)
        and result.get("objectType") == "KalturaAPIException"
        and result.get("code") == code
    )


def user_api(sb: Sandbox, user_id: str, privileges: str = "") -> Api:
    """Return an API helper holding a USER KS."""
    return Api(sb, sb.ks(user_id=user_id, admin=False, privileges=privileges))
