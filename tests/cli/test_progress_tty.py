"""The progress display: bars that update on a terminal (a real pty), plain lines elsewhere."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from kaltura_mm.commands.progress import UploadDisplay, human_bytes
from kaltura_mm.upload.result import UploadProgress


def _read_all(fd: int, process: subprocess.Popen[bytes], timeout: float) -> bytes:
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the child closed the pty
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    return b"".join(chunks)


def test_bars_render_and_update_on_a_terminal(
    installed: list[str], kaltura_sandbox: Any, tmp_path: Path
) -> None:
    kaltura_sandbox.create_category("Root>Tty")
    kaltura_sandbox.faults.latency = 0.05
    clip = tmp_path / "lecture.mp4"
    clip.write_bytes(os.urandom(2_000_000))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(
        KALTURA_SERVICE_URL=kaltura_sandbox.service_url,
        KALTURA_PARTNER_ID=str(kaltura_sandbox.partner_id),
        KALTURA_ADMIN_SECRET=kaltura_sandbox.admin_secret,
        KALTURA_MM_STATE_DIR=str(tmp_path / "state"),
        TERM="xterm-256color",
        COLUMNS="120",
    )
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [
            *installed,
            "upload",
            str(clip),
            "-c",
            "Root>Tty",
            "--chunk-size",
            "100kB",
            "--concurrency",
            "2",
        ],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    try:
        screen = _read_all(leader, process, timeout=60).decode("utf-8", "replace")
    finally:
        os.close(leader)
        process.wait(timeout=30)
    assert process.returncode == 0, screen
    assert "lecture.mp4" in screen
    assert "total 0/1 files" in screen and "total 1/1 files" in screen
    redraws = screen.count("\x1b[2K") + screen.count("\r")
    assert redraws >= 3, "the bars should be redrawn while the upload runs"
    shown = {int(m) for m in re.findall(r"(\d+)%", screen)} | set(
        re.findall(r"(\d+\.\d)/2\.0 MB", screen)
    )
    assert len(shown) >= 2, f"expected several progress figures, got {shown}"
    assert "✓ lecture.mp4" in screen


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    path = Path("/media/a.mp4")
    with UploadDisplay(stream, 2_000, 1, tty=False, interval=0.0) as display:
        display.start(path, 2_000)
        display.progress(
            UploadProgress(path=path, bytes_done=1_000, bytes_total=2_000, rate=1.0, eta=1.0)
        )
        display.finish(path, 2_000, "✓ a.mp4 -> 0_abc (uploaded)")
    lines = stream.getvalue().splitlines()
    assert "upload: 0/1 files, 1.0 kB/2.0 kB" in lines[1]
    assert "✓ a.mp4 -> 0_abc (uploaded)" in lines
    assert lines[-1].startswith("upload: 1/1 files, 2.0 kB/2.0 kB")
    assert "\x1b[" not in stream.getvalue()


def test_quiet_shows_nothing_and_sizes_read_well() -> None:
    stream = io.StringIO()
    with UploadDisplay(stream, 10, 1, quiet=True, tty=False, interval=0.0) as display:
        display.start(Path("x"), 10)
        display.finish(Path("x"), 10, "done")
    assert stream.getvalue() == ""
    assert human_bytes(999) == "999 B"
    assert human_bytes(1_500_000) == "1.5 MB"


def test_files_that_failed_or_stopped_count_neither_as_done_nor_as_sent() -> None:
    stream = io.StringIO()
    a, b = Path("/media/a.mp4"), Path("/media/b.mp4")
    with UploadDisplay(stream, 4_000, 2, tty=False, interval=0.0) as display:
        display.start(a, 2_000)
        display.start(b, 2_000)
        display.progress(UploadProgress(path=a, bytes_done=500, bytes_total=2_000, rate=1, eta=1))
        display.finish(a, 500, "… a.mp4: stopped, resumable", ok=False)
        display.finish(b, 0, "✗ b.mp4: refused", ok=False)
    last = stream.getvalue().splitlines()[-1]
    assert last.startswith("upload: 0/2 files (2 failed or stopped), 500 B/4.0 kB"), last
    assert display._total_label() == "total 0/2 files, 2 failed"
