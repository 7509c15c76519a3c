"""Run the deterministic simulation: ``python -m simulation``.

    python -m simulation --seeds 200                        # CI: seeds 0..199, every scenario
    python -m simulation --seeds 5000 --jobs 2              # the long run
    python -m simulation --seed 17 --scenario list_all      # replay one run (add --trace)
    python -m simulation --seeds 200 --accounts             # under drawn accounts (USER...)

Exit code 0 when every run passed, 1 when an invariant broke or the model met a request it
does not implement. Each failure prints its replay command. ``--known-bugs`` lets the seeds
``simulation/known_bugs.py`` lists fail as listed, strictly: one that passes fails the run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from simulation.drivers import DEFAULT_DRIVER, DRIVERS
from simulation.job_workers import JOB_SCENARIOS
from simulation.known_bugs import KNOWN_BUGS, Verdict, verdict
from simulation.runner import RunResult, run_one
from simulation.scenarios import DEFAULT_SCENARIOS, SCENARIOS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seeds", type=int, default=20, help="how many seeds (default 20)")
    parser.add_argument("--first", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--seed", type=int, help="run this one seed only (a replay)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS | JOB_SCENARIOS),
        help="only this scenario (repeatable; default all but job_workers, which is opt-in)",
    )
    parser.add_argument(
        "--driver",
        default=DEFAULT_DRIVER,
        choices=sorted(DRIVERS),
        help=f"who drives the flows (default {DEFAULT_DRIVER}: kaltura-mm's own)",
    )
    parser.add_argument(
        "--accounts",
        action="store_true",
        help="draw each run's account too: privacy-context categories, "
        "FEATURE_DISABLE_CATEGORY_LIMIT, USER sessions, other users' entries (off by default "
        "until the client passes them)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--trace", action="store_true", help="print every request of a replay")
    parser.add_argument("--json", type=Path, help="write every run's result as JSON lines")
    parser.add_argument(
        "--known-bugs",
        action="store_true",
        help="seeds listed in simulation/known_bugs.py may fail as listed (strict: a listed "
        "seed that passes fails the run)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the simulation; return the exit code."""
    args = _parser().parse_args(argv)
    scenarios = args.scenario or list(DEFAULT_SCENARIOS)
    if args.seed is not None:
        return _replay(scenarios, args.seed, args.driver, args.trace, args.accounts)
    seeds = range(args.first, args.first + args.seeds)
    started = time.perf_counter()
    work = [(s, n, args.driver, args.accounts) for s in scenarios for n in seeds]
    results = _run_all(work, args.jobs, args.known_bugs)
    if args.json:
        _write_json(args.json, results)
    return _summarize(results, time.perf_counter() - started, args.known_bugs)


Work = tuple[str, int, str, bool]  # scenario, seed, driver, accounts


def _job(work: Work) -> RunResult:
    scenario, seed, driver, accounts = work
    return run_one(scenario, seed, driver, accounts=accounts)


def _run_all(work: list[Work], jobs: int, known: bool) -> list[RunResult]:
    if jobs <= 1:
        return [_progress(_job(item), known) for item in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [_progress(result, known) for result in pool.map(_job, work, chunksize=4)]


def _verdict(result: RunResult, known: bool) -> Verdict:
    if known:
        return verdict(result)
    return Verdict("passed" if result.passed else "failed")


def _progress(result: RunResult, known: bool) -> RunResult:
    status = _verdict(result, known).status
    if status in ("failed", "fixed"):
        word = "FAIL" if status == "failed" else "FIXED"
        print(f"{word} {result.scenario} seed {result.seed}: {result.replay()}", flush=True)
    return result


def _replay(
    scenarios: Iterable[str], seed: int, driver: str, trace: bool, accounts: bool = False
) -> int:
    failed = 0
    for scenario in scenarios:
        result = run_one(scenario, seed, driver, trace=trace, accounts=accounts)
        print(f"== {scenario} seed {seed}: {'passed' if result.passed else 'FAILED'}")
        print(f"   schedule: {result.schedule.describe() if result.schedule else '-'}")
        if result.schedule is not None and accounts:
            print(f"   account: {result.schedule.accounts.describe()}")
        print(
            f"   {result.requests} requests, {result.server_calls} server calls, "
            f"{result.virtual_seconds:.0f} virtual s, {result.wall_seconds * 1000:.0f} ms, "
            f"faults {dict(result.faults)}"
        )
        for line in result.trace or []:
            print(f"   {line}")
        for bug in KNOWN_BUGS:
            if bug.accounts == accounts and seed in bug.seeds.get(scenario, ()):
                print(f"   known bug {bug.name} ({bug.issue}): {bug.at_fault}")
        failed += _report_failure(result)
    return 1 if failed else 0


def _report_failure(result: RunResult, said: Verdict | None = None) -> int:
    if result.passed and said is None:
        return 0
    if said is not None and said.detail:
        print(f"   {said.status.upper()}: {said.detail}")
    if result.model_gap:
        print(f"   MODEL GAP: {result.model_gap}")
    for violation in result.violations:
        print(f"   {violation}")
    print(f"   replay: {result.replay()}")
    return 1


_HEADER = (
    f"{'scenario':<18} {'runs':>5} {'passed':>6} {'failed':>6} {'gaps':>5} "
    f"{'req med':>7} {'req max':>7} {'% budget':>8} {'virt s med':>10} {'ms med':>7}"
)


def _row(scenario: str, rows: list[RunResult]) -> str:
    return (
        f"{scenario:<18} {len(rows):>5} {sum(r.passed for r in rows):>6} "
        f"{sum(bool(r.violations) for r in rows):>6} "
        f"{sum(r.model_gap is not None for r in rows):>5} "
        f"{statistics.median(r.requests for r in rows):>7.0f} "
        f"{max(r.requests for r in rows):>7} "
        f"{max(100 * r.requests / (r.budget or 1) for r in rows):>8.0f} "
        f"{statistics.median(r.virtual_seconds for r in rows):>10.0f} "
        f"{statistics.median(r.wall_seconds for r in rows) * 1000:>7.1f}"
    )


def _summarize(results: list[RunResult], wall: float, known: bool = False) -> int:
    print(_HEADER)
    for scenario in dict.fromkeys(r.scenario for r in results):
        print(_row(scenario, [r for r in results if r.scenario == scenario]))
    seen = sum((r.events + r.faults for r in results), Counter[str]())
    print("what happened: " + ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
    calls, busy = sum(r.server_calls for r in results), sum(r.wall_seconds for r in results)
    rate = calls / busy if busy else 0
    print(f"{len(results)} runs in {wall:.1f} s; {calls} server calls, {rate:,.0f} per second")
    verdicts = [(r, _verdict(r, known)) for r in results]
    if known:
        _known_summary([v for _, v in verdicts])
    failures = [(r, v) for r, v in verdicts if v.status in ("failed", "fixed")]
    for result, said in failures:
        _report_failure(result, said)
    return 1 if failures else 0


def _known_summary(verdicts: list[Verdict]) -> None:
    counts = Counter(v.status for v in verdicts)
    bugs = Counter(name for v in verdicts for name in v.bugs)
    print(
        f"known bugs: {counts['known']} runs failed as listed ("
        + "; ".join(f"{n} {b}" for b, n in sorted(bugs.items()))
        + f"), {counts['fixed']} listed runs fixed, {counts['failed']} other failures"
    )


def _write_json(path: Path, results: list[RunResult]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for r in results:
            row = {
                "scenario": r.scenario,
                "seed": r.seed,
                "passed": r.passed,
                "violations": [str(v) for v in r.violations],
                "model_gap": r.model_gap,
                "requests": r.requests,
                "budget": r.budget,
                "server_calls": r.server_calls,
                "virtual_seconds": r.virtual_seconds,
                "wall_seconds": r.wall_seconds,
                "faults": dict(r.faults),
                "events": dict(r.events),
                "accounts": r.schedule.accounts.describe() if r.accounts and r.schedule else None,
                "replay": r.replay(),
            }
            out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    sys.exit(main())
