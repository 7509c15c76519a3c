"""``kaltura-mm upload`` keeps its pace over a big folder: its state costs the same per file at
file 10,000 as at file 1.

The 0.1 command rewrote its whole JSON journal for every file: 5,000 tiny files slowed from 11 to
6 files/s by file 2,317. The journal is now a row per file in SQLite. The benchmark uploads 10,000
small files (300 in smoke mode) to a fresh sandbox served by another process on loopback,
timestamps each file's "✓" line on stderr as it arrives, and compares the rate of the last 1,000
files with the first 1,000 (100 in smoke mode): the median of three runs (one in smoke mode).
Target: at least 0.9. A second row, without a target, gives the command's own CPU time per file
(read from ``/proc``), which a machine busy with other work disturbs less than the rate: it
tells a slower command from a slower machine or sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.harness import Context, Row, median

FILES, WINDOW = 10_000, 1_000
SMOKE_FILES, SMOKE_WINDOW = 300, 100
SIZE = 2_000
CATEGORY = "Bench>Many"
TARGET = 0.9
KMM = (sys.executable, "-c", "from kaltura_mm.cli import run; run()")


def _serve(ctx: Context, run: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    server = subprocess.Popen(
        [*KMM, "sandbox", "serve", "--json",
         "--seed-category", CATEGORY, "--data-dir", str(ctx.scratch(f"state-sandbox-{run}"))],
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


def _cpu(pid: int) -> float:
    """Return the user + system seconds process ``pid`` has used (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _finish_times(
    argv: list[str], env: dict[str, str], window: int
) -> tuple[list[float], list[float], int]:
    """Run ``argv``; return when each file's "✓" line came, the CPU used every ``window`` files,
    and the exit code."""
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    times: list[float] = []
    cpu: list[float] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("✓"):
                times.append(time.perf_counter())
                if len(times) % window == 1 or window == 1:
                    cpu.append(_cpu(process.pid))

    reader = threading.Thread(target=read)
    reader.start()
    code = process.wait()
    reader.join()
    return times, cpu, code


def _once(ctx: Context, folder: Path, run: int, window: int) -> tuple[float, float, float, float]:
    """Upload ``folder`` to a fresh sandbox; return files/s and CPU s per file, first and last."""
    server, info = _serve(ctx, run)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
        env.update(
            KALTURA_SERVICE_URL=info["service_url"],
            KALTURA_PARTNER_ID=str(info["partner_id"]),
            KALTURA_ADMIN_SECRET=info["admin_secret"],
            KALTURA_MM_STATE_DIR=str(ctx.scratch(f"state-cli-{run}")),
            KALTURA_MM_CONFIG=str(ctx.scratch(f"state-cli-{run}") / "none.toml"),
        )
        argv = [*KMM, "upload", str(folder), "-c", CATEGORY]
        times, cpu, code = _finish_times(argv, env, window)
    finally:
        server.terminate()
        server.wait(timeout=30)
    count = len(list(folder.iterdir()))
    if code != 0 or len(times) != count:
        raise RuntimeError(f"the upload ended with exit {code} after {len(times)} of {count} files")
    first = (window - 1) / (times[window - 1] - times[0])
    last = (window - 1) / (times[-1] - times[-window])
    return first, last, (cpu[1] - cpu[0]) / window, (cpu[-1] - cpu[-2]) / window


def run(ctx: Context) -> list[Row]:
    """Upload many small files; compare the end with the start, in files/s and in CPU per file."""
    count, window = (SMOKE_FILES, SMOKE_WINDOW) if ctx.smoke else (FILES, WINDOW)
    folder = _files(ctx, count)
    runs = [_once(ctx, folder, i, window) for i in range(1 if ctx.smoke else 3)]
    first, last = median([r[0] for r in runs]), median([r[1] for r in runs])
    cpu_first, cpu_last = median([r[2] for r in runs]), median([r[3] for r in runs])
    ratios = [r[1] / r[0] for r in runs]
    return [
        Row(
            benchmark="cli_state",
            subject=f"kaltura-mm upload of {count:,} small files: files/s, last {window:,}",
            median=last,
            unit="files/s",
            baseline=f"files/s of the first {window:,}",
            baseline_median=first,
            target=f">= {TARGET} x baseline",
            passed=median(ratios) >= TARGET,
            samples=[r[1] for r in runs],
            notes=f"{SIZE} B files, sandbox in another process on loopback; median of "
            f"{len(runs)} fresh runs; ratios {', '.join(f'{x:.2f}' for x in ratios)}",
        ),
        Row(
            benchmark="cli_state",
            subject=f"kaltura-mm upload of {count:,} small files: CPU ms per file, last {window:,}",
            median=cpu_last * 1000,
            unit="ms",
            baseline=f"CPU ms per file of the first {window:,}",
            baseline_median=cpu_first * 1000,
            samples=[r[3] * 1000 for r in runs],
            notes="no target, a diagnosis: user + system time of the kaltura-mm process alone "
            "(a busy machine disturbs it less than the rate); first-window samples "
            + ", ".join(f"{r[2] * 1000:.2f}" for r in runs),
        ),
    ]
