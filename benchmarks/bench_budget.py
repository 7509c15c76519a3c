"""Independent processes against one rate limiter, with the shared rate budget and without it
(``--no-shared-budget``: each process learns the limiter alone), in the same run.

Issue 18's figures: 2 and 4 processes on one machine, each ``kaltura-mm delete --from-file`` its
own part, started at once with no extra flag, and 3 workers with separate state folders and one
PostgreSQL store (``--store postgresql://...``, as on 3 machines), 3,000 deletes in all against 30
per 10 s: at least 90% of the allowed rate, at most 2% of the calls blocked, every entry deleted
exactly once (the sandbox ran as many deletes as there were entries, and the processes' ``--json``
lines report each id done once).

- *virtual*: the issue's sizes (3,000 deletes, 30 per 10 s), each process a machine on one
  virtual clock with its own connection to one SQLite budget (``benchmarks.virtual_budget``).
- *processes*: real ``kaltura-mm`` processes against the sandbox, at the true 10-s window, every
  measurement at once (each its own sandbox and process: ``python -m benchmarks.bench_budget``
  runs one, ``main``). The budget is where it is by default (``budget.sqlite3`` in the user's
  state folder: ``XDG_STATE_HOME`` points each measurement, or each "machine", at its own), so
  nothing but the data tells the processes about each other. 3,000 deletes are 17 minutes with the
  budget; alone each process learns the others' share as its limit and takes hours, so a baseline
  is cut after ``BASELINE_CUT`` times the fastest possible time (plus ``START_UP``) and measured
  up to there (its notes say so). The smoke run: 60 deletes, 30 per 1 s (start-up and learning
  dominate).

Neither kind tells the budget the window (``KALTURA_MM_RATE_WINDOW`` unset): it learns it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.harness import Context, Row, sandbox_env
from benchmarks.virtual_budget import run_processes
from benchmarks.virtual_limiter import Measured

LIMIT = 30
RATE_TARGET = 90.0  # % of the allowed rate
BLOCKED_TARGET = 2.0  # % of calls blocked
BASELINE_CUT = 2.0  # a baseline runs at most this many times the fastest possible time...
START_UP = 60.0  # ...plus this many seconds (processes starting on a loaded machine)
FULL = (3000, 10.0)  # deletes, window
SMOKE = (60, 1.0)
# (processes, PostgreSQL store): 2 and 4 on one machine, 3 "machines" sharing PostgreSQL
SETUPS = ((2, False), (4, False), (3, True))


def run(ctx: Context) -> list[Row]:
    """Measure the virtual rows, then every real-process row and its baseline at once."""
    rows: list[Row] = []
    total = 600 if ctx.smoke else 3000
    for parts in (2, 4):
        shared = run_processes(parts, total // parts, LIMIT, 10.0, ctx.scratch(f"v{parts}") / "b")
        alone = run_processes(parts, total // parts, LIMIT, 10.0, None)
        rows += _rows(f"virtual, {parts} processes, {total} deletes", shared, alone, 10.0, "")
    deletes, window = SMOKE if ctx.smoke else FULL
    jobs = [(parts, pg, shared) for parts, pg in SETUPS for shared in (True, False)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        got = list(pool.map(lambda job: _measure(ctx, *job, deletes, window), jobs))
    for (parts, pg, _), shared, alone in zip(jobs[::2], got[::2], got[1::2], strict=True):
        kind = "workers, one PostgreSQL store" if pg else "kaltura-mm processes"
        subject = f"{parts} {kind}, {deletes} deletes, {LIMIT} per {window:g} s"
        rows += _rows(subject, _measured(shared), _measured(alone), window, _cut(alone))
    return rows


def _measure(
    ctx: Context, parts: int, pg: bool, shared: bool, deletes: int, window: float
) -> dict[str, Any]:
    """Run one measurement in a process of its own (its sandbox, its PostgreSQL)."""
    name = f"p{parts}{'-pg' if pg else ''}-{'shared' if shared else 'alone'}"
    folder, out = ctx.scratch(name), ctx.workdir / f"{name}.json"
    argv = [sys.executable, "-m", "benchmarks.bench_budget", "--parts", str(parts)]
    argv += ["--deletes", str(deletes), "--window", str(window), "--folder", str(folder)]
    argv += ["--json", str(out)] + (["--postgres"] if pg else []) + ([] if shared else ["--alone"])
    subprocess.run(argv, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def _measured(result: dict[str, Any]) -> Measured:
    return Measured(result["seconds"], result["accepted"], result["blocked"])


def _cut(result: dict[str, Any]) -> str:
    if result["complete"]:
        return ""
    return f"; baseline cut after {result['seconds']:.0f} s, {result['accepted']} deleted"


def _rows(subject: str, shared: Measured, alone: Measured, window: float, cut: str) -> list[Row]:
    rate, rate_alone = 100 * shared.share(LIMIT, window), 100 * alone.share(LIMIT, window)
    blocked, blocked_alone = 100 * shared.blocked_share(), 100 * alone.blocked_share()
    timed = f"{shared.seconds:.1f} s vs {alone.seconds:.1f} s; every entry deleted once{cut}"
    return [
        _row(f"{subject}: % of the allowed rate", rate, rate_alone, RATE_TARGET, True, timed),
        _row(
            f"{subject}: % of calls blocked",
            blocked,
            blocked_alone,
            BLOCKED_TARGET,
            False,
            f"{shared.blocked} blocked vs {alone.blocked}",
        ),
    ]


def _row(subject: str, value: float, alone: float, target: float, high: bool, notes: str) -> Row:
    return Row(
        benchmark="budget",
        subject=subject,
        median=value,
        unit="%",
        baseline="each process alone (--no-shared-budget)",
        baseline_median=alone,
        target=f"{'>=' if high else '<='} {target:g}%",
        passed=value >= target if high else value <= target,
        samples=[value],
        notes=notes,
    )


def _command() -> str:
    found = shutil.which("kaltura-mm", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("kaltura-mm is not installed in this environment: pip install -e .")
    return found


def processes(
    folder: Path,
    parts: int,
    deletes: int,
    window: float,
    *,
    shared: bool,
    store: str | None = None,
    cut: float | None = None,
) -> dict[str, Any]:
    """Run ``parts`` delete processes at once on a fresh sandbox; return what the server ran.

    Each process has its own state folder; with ``store`` (a PostgreSQL URL, ``--store``) each
    also has its own user state folder (another machine: the default budget file is not shared).
    ``cut``: seconds after which the processes are stopped and what ran so far is measured."""
    from kaltura_mm.sandbox import Sandbox

    with Sandbox() as sb:
        sb.faults.throttle("baseEntry", "delete", limit=LIMIT, window=window)
        ids = sb.seed_entries(None, deletes)
        env = sandbox_env(sb, folder, XDG_STATE_HOME=str(folder / "machine"))
        started = time.perf_counter()
        running = []
        for part in range(parts):
            listing = folder / f"part{part}.txt"
            listing.write_text("\n".join(ids[part::parts]) + "\n")
            argv = [_command(), "--json"] + ([] if shared else ["--no-shared-budget"])
            argv += ["delete", "--from-file", str(listing), "--yes"]
            argv += ["--store", store] if store else []
            own = {**env, "KALTURA_MM_STATE_DIR": str(folder / f"state{part}")}
            if store:
                own["XDG_STATE_HOME"] = str(folder / f"machine{part}")
            running.append(
                subprocess.Popen(argv, env=own, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            )
        outputs, complete = _wait(running, started + (cut or 3 * 3600))
        seconds = time.perf_counter() - started
        accepted = sb.stats.accepted[("baseentry", "delete")]
        blocked = sb.stats.blocked[("baseentry", "delete")]
    if complete:
        lines = [json.loads(line) for text in outputs for line in text.splitlines()]
        said = Counter(line["entry_id"] for line in lines if line["status"] == "done")
        if accepted != deletes or set(said) != set(ids) or max(said.values()) != 1:
            raise RuntimeError(f"{accepted} deletes ran for {deletes} entries: not exactly once")
    return {"seconds": seconds, "accepted": accepted, "blocked": blocked, "complete": complete}


def _wait(running: list[subprocess.Popen[bytes]], deadline: float) -> tuple[list[str], bool]:
    """Return the processes' outputs and whether they all ended before ``deadline`` (if not,
    they are stopped); a process that failed is an error."""
    outputs = []
    for process in running:
        try:
            out, err = process.communicate(timeout=max(0.1, deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            for other in running:
                other.kill()
                other.wait()
            return [], False
        if process.returncode != 0:
            raise RuntimeError(f"a delete process failed ({process.returncode}): {err.decode()}")
        outputs.append(out.decode())
    return outputs, True


def main() -> None:
    """Run one measurement (``processes``) and write it as JSON: ``python -m
    benchmarks.bench_budget --parts 2 --deletes 3000 --window 10 --json out.json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_budget")
    parser.add_argument("--parts", type=int, default=2, help="processes started at once")
    parser.add_argument("--deletes", type=int, default=FULL[0], help="entries in all")
    parser.add_argument("--window", type=float, default=FULL[1], help="the limiter's window (s)")
    parser.add_argument("--alone", action="store_true", help="the baseline: --no-shared-budget")
    parser.add_argument("--postgres", action="store_true", help="one PostgreSQL --store for all")
    parser.add_argument("--folder", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, required=True, help="where to write the result")
    args = parser.parse_args()
    fastest = args.deletes / LIMIT * args.window
    with ExitStack() as stack:
        folder = args.folder or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folder.mkdir(parents=True, exist_ok=True)
        store = None
        if args.postgres:
            from benchmarks.bench_jobs import postgres_url

            store = stack.enter_context(postgres_url())
        result = processes(
            folder,
            args.parts,
            args.deletes,
            args.window,
            shared=not args.alone,
            store=store,
            cut=BASELINE_CUT * fastest + START_UP if args.alone else None,
        )
    result.update(vars(args), folder=str(folder), json=str(args.json), pid=os.getpid())
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
