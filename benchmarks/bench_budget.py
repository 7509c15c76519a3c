"""Independent processes against one rate limiter, with the shared rate budget and without it
(``KALTURA_MM_SHARED_BUDGET=off``: each process learns the limiter alone), in the same run.

Issue 18's figure: 2 and 4 processes, each ``kaltura-mm delete --from-file`` its own part, started
at once with no extra flag, 3,000 deletes in all against 30 per 10 s: at least 90% of the allowed
rate, at most 2% of the calls blocked, every entry deleted exactly once (the sandbox's count of
deletes it ran).

- *virtual*: the issue's sizes exactly (3,000 deletes, 30 per 10 s), each process a machine on
  one virtual clock with its own connection to one SQLite budget (``benchmarks.virtual_budget``).
Neither kind tells the budget the window (``KALTURA_MM_RATE_WINDOW`` unset): it learns it.

- *processes*: real ``kaltura-mm`` processes against the sandbox, at the true 10-s window. 3,000
  deletes at 3 per second are 17 minutes a run with the budget, and hours alone (each process
  learns the other's share as its limit: 2 x 150 deletes took 664 s, 14% of the rate), so the
  full run deletes 600 (still long: about 30 minutes with its baselines). A 1-s window would be
  faster but unfair to the budget: its 0.1 s of slack per window is then 10% of the rate. The
  smoke run: 60 deletes, 30 per 1 s (too few for the targets to mean anything: start-up and
  learning dominate).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness import Context, Row, sandbox_env
from benchmarks.virtual_budget import run_processes
from benchmarks.virtual_limiter import Measured
from kaltura_mm.sandbox import Sandbox

LIMIT = 30
RATE_TARGET = 90.0  # % of the allowed rate
BLOCKED_TARGET = 2.0  # % of calls blocked


def run(ctx: Context) -> list[Row]:
    """Measure 2 and 4 processes, shared and alone, in virtual time and as real processes."""
    rows: list[Row] = []
    total = 600 if ctx.smoke else 3000
    for parts in (2, 4):
        shared = run_processes(parts, total // parts, LIMIT, 10.0, ctx.scratch(f"v{parts}") / "b")
        alone = run_processes(parts, total // parts, LIMIT, 10.0, None)
        rows += _rows(f"virtual, {parts} processes, {total} deletes", shared, alone, 10.0)
    deletes, window = (60, 1.0) if ctx.smoke else (600, 10.0)
    for parts in (2, 4):
        shared = _processes(ctx, parts, deletes, window, shared=True)
        alone = _processes(ctx, parts, deletes, window, shared=False)
        subject = f"{parts} kaltura-mm processes, {deletes} deletes, {LIMIT} per {window:g} s"
        rows += _rows(subject, shared, alone, window)
    return rows


def _rows(subject: str, shared: Measured, alone: Measured, window: float) -> list[Row]:
    rate, rate_alone = 100 * shared.share(LIMIT, window), 100 * alone.share(LIMIT, window)
    blocked, blocked_alone = 100 * shared.blocked_share(), 100 * alone.blocked_share()
    timed = f"{shared.seconds:.1f} s vs {alone.seconds:.1f} s; every entry deleted once"
    return [
        _row(
            f"{subject}: % of the allowed rate",
            rate,
            rate_alone,
            f">= {RATE_TARGET:g}%",
            rate >= RATE_TARGET,
            timed,
        ),
        _row(
            f"{subject}: % of calls blocked",
            blocked,
            blocked_alone,
            f"<= {BLOCKED_TARGET:g}%",
            blocked <= BLOCKED_TARGET,
            f"{shared.blocked} blocked vs {alone.blocked}",
        ),
    ]


def _row(subject: str, value: float, alone: float, target: str, passed: bool, notes: str) -> Row:
    return Row(
        benchmark="budget",
        subject=subject,
        median=value,
        unit="%",
        baseline="each process alone (KALTURA_MM_SHARED_BUDGET=off)",
        baseline_median=alone,
        target=target,
        passed=passed,
        samples=[value],
        notes=notes,
    )


def _command() -> str:
    found = shutil.which("kaltura-mm", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("kaltura-mm is not installed in this environment: pip install -e .")
    return found


def _processes(ctx: Context, parts: int, deletes: int, window: float, shared: bool) -> Measured:
    """Run ``parts`` delete processes at once on a fresh sandbox; return what the server ran."""
    name = f"p{parts}-{'shared' if shared else 'alone'}"
    folder = ctx.scratch(name)
    with Sandbox() as sb:
        sb.faults.throttle("baseEntry", "delete", limit=LIMIT, window=window)
        ids = sb.seed_entries(None, deletes)
        env = sandbox_env(
            sb,
            folder,
            KALTURA_MM_BUDGET_FILE=str(folder / "budget.sqlite3"),
            **({} if shared else {"KALTURA_MM_SHARED_BUDGET": "off"}),  # on by default
        )
        started = time.perf_counter()
        running = []
        for part in range(parts):
            listing = folder / f"part{part}.txt"
            listing.write_text("\n".join(ids[part::parts]) + "\n")
            argv = [_command(), "-q", "delete", "--from-file", str(listing), "--yes"]
            own = {**env, "KALTURA_MM_STATE_DIR": str(folder / f"state{part}")}
            running.append(subprocess.Popen(argv, env=own, stderr=subprocess.PIPE, text=True))
        for process in running:
            _, err = process.communicate(timeout=3600)
            if process.returncode != 0:
                raise RuntimeError(f"a delete process failed ({process.returncode}): {err}")
        seconds = time.perf_counter() - started
        accepted = sb.stats.accepted[("baseentry", "delete")]
        blocked = sb.stats.blocked[("baseentry", "delete")]
    if accepted != deletes:
        raise RuntimeError(f"{accepted} deletes ran for {deletes} entries: not exactly once")
    return Measured(seconds, accepted, blocked)
