"""AsyncClient reads file parts off the event loop, and reports progress on it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import transport
from kaltura_mm.client import AsyncClient
from kaltura_mm.models import UploadToken, UploadTokenParams
from kaltura_mm.protocol.calls import FilePart
from kaltura_mm.services import upload_token


def test_file_reads_leave_the_loop_free(
    kaltura_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = tmp_path / "clip.mp4"
    media.write_bytes(bytes(range(256)) * 8192)  # 2 MiB: several pieces
    read_on: set[int] = set()
    real_pieces = transport._pieces

    def watched(part: FilePart, length: int) -> Iterator[bytes]:
        for piece in real_pieces(part, length):
            read_on.add(threading.get_ident())
            yield piece

    monkeypatch.setattr(transport, "_pieces", watched)
    reported_on: set[int] = set()

    async def main() -> tuple[int, UploadToken]:
        settings = {
            "service_url": kaltura_sandbox.service_url,
            "partner_id": kaltura_sandbox.partner_id,
            "admin_secret": kaltura_sandbox.admin_secret,
        }
        async with AsyncClient(**settings) as client:
            token = await client.call(upload_token.add(UploadTokenParams(file_name="clip.mp4")))
            sent = await client.call(
                upload_token.upload(token.id, FilePart(path=media)),
                progress=lambda part, done: reported_on.add(threading.get_ident()),
            )
            return threading.get_ident(), sent

    loop_thread, sent = asyncio.run(main())
    assert sent.uploaded_file_size == media.stat().st_size
    assert read_on and loop_thread not in read_on
    assert reported_on == {loop_thread}
