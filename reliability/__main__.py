"""Run the suite: ``python -m reliability [--smoke] [--only NAME ...] [--json PATH]``.

Prints what each scenario tried and what survived, then one table; writes every verdict as
JSON; ``--markdown PATH`` also writes the docs page (``--from-json PATH`` renders a saved run
without running anything). Exit code 1 when any check failed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import traceback
from pathlib import Path
from types import ModuleType

from reliability import report
from reliability.harness import Context, Stopwatch, Verdict

HERE = Path(__file__).resolve().parent
ORDER = (
    "bad_input",
    "secret_canary",
    "isolation",
    "fault_soak",
    "throttled_account",
    "ks_expiry",
    "crash_resume",
)
INTRO = """
How far kaltura-mm can be trusted with someone's only copy of a lecture, or with a production
category, measured against the local sandbox (`kaltura_mm.sandbox`) on loopback: faults injected
into every action, the CLI killed with SIGKILL mid-batch, sessions expiring mid-job, a throttled
account, bad input of every kind, a canary secret hunted for in every output, and partner/user
isolation. Every figure below was measured by the run named under the table.

Run it yourself:

```sh
python -m reliability --smoke            # about 3 minutes: what CI runs (tests/reliability)
python -m reliability                    # the issue's sizes (200 files, 10 crashes, 500 deletes)
python -m reliability --only fault_soak  # one scenario
python -m reliability --markdown docs/reliability.md   # run, then regenerate this page
python -m reliability --from-json reliability/results/full.json --markdown docs/reliability.md
```

The last line renders a saved run without running anything: this page comes from the full run
saved in `reliability/results/full.json`. A scenario that reports **NO** found a product bug
that is not fixed yet; its failed checks below say what broke.
"""


def scenarios(only: list[str]) -> list[ModuleType]:
    """Return the scenario modules to run, in the suite's order."""
    names = sorted(p.stem.removeprefix("scenario_") for p in HERE.glob("scenario_*.py"))
    unknown = sorted(set(only) - set(names))
    if unknown:
        sys.exit(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(names)}")
    chosen = [n for n in names if not only or n in only]
    chosen.sort(key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
    return [importlib.import_module(f"reliability.scenario_{n}") for n in chosen]


def run_one(module: ModuleType, ctx: Context) -> Verdict:
    """Run one scenario; an exception becomes a failed verdict that says what broke."""
    ctx.say(f"== {module.TITLE}")
    clock = Stopwatch()
    try:
        verdict: Verdict = module.run(ctx)
    except Exception as exc:  # a broken scenario must not hide the others' results
        traceback.print_exc()
        verdict = Verdict(module.NAME, module.TITLE, error=f"{type(exc).__name__}: {exc}")
    verdict.seconds = round(clock.seconds(), 1)
    ctx.say(f"  tried:    {verdict.tried}")
    ctx.say(f"  survived: {verdict.error or verdict.survived}")
    for check in verdict.failed_checks():
        ctx.say(f"  FAILED:   {check.name}: {check.detail}")
    return verdict


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios and report; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small sizes (about 3 minutes)")
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME", help="scenarios to run")
    parser.add_argument("--seed", type=int, default=7, help="seed of files, faults and crashes")
    parser.add_argument("--json", type=Path, help="where to write the verdicts")
    parser.add_argument("--markdown", type=Path, help="also write the docs page here")
    parser.add_argument("--from-json", type=Path, help="render --markdown from a saved run")
    args = parser.parse_args(argv)
    if args.from_json:
        if not args.markdown:
            parser.error("--from-json needs --markdown PATH")
        doc, verdicts = report.read_json(args.from_json)
        args.markdown.write_text(report.markdown(doc, verdicts, INTRO), encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="kmm-reliability-") as work:
        ctx = Context(smoke=args.smoke, workdir=Path(work), seed=args.seed)
        verdicts = [run_one(m, ctx) for m in scenarios(args.only)]
    print()
    print(report.table(verdicts))
    doc = report.document(verdicts, args.smoke, args.seed)
    target = args.json or HERE / "results" / f"{doc['mode']}.json"
    report.write_json(target, doc)
    print(f"\nverdicts written to {target}")
    if args.markdown:
        args.markdown.write_text(report.markdown(doc, verdicts, INTRO), encoding="utf-8")
        print(f"docs page written to {args.markdown}")
    return 0 if doc["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
