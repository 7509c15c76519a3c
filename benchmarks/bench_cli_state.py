"""``kaltura-mm upload`` keeps its pace over a big folder: its state costs the same per file at
file 10,000 as at file 1.

The 0.1 command rewrote its whole JSON journal for every file: 5,000 tiny files slowed from 11 to
6 files/s by file 2,317. The journal is now a row per file in SQLite. The benchmark uploads 10,000
small files (300 in smoke mode) to a sandbox served by another process on loopback, timestamps
each file's "✓" line on stderr as it arrives, and compares the rate of the last 1,000 files with
the first 1,000 (100 in smoke mode). Target: at least 0.9.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.harness import Context, Row

FILES, WINDOW = 10_000, 1_000
SMOKE_FILES, SMOKE_WINDOW = 300, 100
SIZE = 2_000
CATEGORY = "Bench>Many"
TARGET = 0.9
KMM = (sys.executable, "-c", "from kaltura_mm.cli import run; run()")


def _serve(ctx: Context) -> tuple[subprocess.Popen[str], dict[str, str]]:
    server = subprocess.Popen(
        [*KMM, "sandbox", "serve", "--json",
         "--seed-category", CATEGORY, "--data-dir", str(ctx.scratch("state-sandbox"))],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert server.stdout is not None
    info = json.loads(server.stdout.readline())
    return server, info


def _files(ctx: Context, count: int) -> Path:
    folder = ctx.scratch("state-files")
    for i in range(count):
        (folder / f"clip{i:05}.mp4").write_bytes(os.urandom(SIZE) + i.to_bytes(4, "big"))
    return folder


def _finish_times(argv: list[str], env: dict[str, str]) -> tuple[list[float], int]:
    """Run ``argv``; return when each file's "✓" line arrived, and the exit code."""
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None
    times: list[float] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("✓"):
                times.append(time.perf_counter())

    reader = threading.Thread(target=read)
    reader.start()
    code = process.wait()
    reader.join()
    return times, code


def run(ctx: Context) -> list[Row]:
    """Upload many small files once; compare the rate at the end with the rate at the start."""
    count, window = (SMOKE_FILES, SMOKE_WINDOW) if ctx.smoke else (FILES, WINDOW)
    folder = _files(ctx, count)
    server, info = _serve(ctx)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
        env.update(
            KALTURA_SERVICE_URL=info["service_url"],
            KALTURA_PARTNER_ID=str(info["partner_id"]),
            KALTURA_ADMIN_SECRET=info["admin_secret"],
            KALTURA_MM_STATE_DIR=str(ctx.scratch("state-cli")),
            KALTURA_MM_CONFIG=str(ctx.scratch("state-cli") / "none.toml"),
        )
        argv = [*KMM, "upload", str(folder), "-c", CATEGORY]
        times, code = _finish_times(argv, env)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if code != 0 or len(times) != count:
        raise RuntimeError(f"the upload ended with exit {code} after {len(times)} of {count} files")
    first = (window - 1) / (times[window - 1] - times[0])
    last = (window - 1) / (times[-1] - times[-window])
    return [
        Row(
            benchmark="cli_state",
            subject=f"kaltura-mm upload of {count:,} small files: files/s, last {window:,}",
            median=last,
            unit="files/s",
            baseline=f"files/s of the first {window:,}",
            baseline_median=first,
            target=f">= {TARGET} x baseline",
            passed=last >= TARGET * first,
            samples=[last, first],
            notes=f"{SIZE} B files, sandbox in another process on loopback; "
            f"{count / (times[-1] - times[0]):.1f} files/s overall",
        )
    ]
