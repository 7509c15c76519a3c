"""Run the benchmarks: ``python -m benchmarks [--smoke] [--only NAME ...] [--json PATH]``.

Prints one table (medians, baseline medians, ratios, targets) and writes every row as JSON.
Exit code 1 when a row misses its target in a full run; smoke runs only check that each
benchmark runs (their sizes are too small for the targets to mean anything).
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import json
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.harness import Context, Row

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "kaltura_mm"


def _bytecode() -> None:
    """Compile the package's bytecode, as pip does when it installs kaltura-mm.

    Under ``PYTHONDONTWRITEBYTECODE`` an editable install has none, and every ``kaltura-mm``
    process the benchmarks start compiled each module it imported from source again: 0.2-0.3 s
    of every CLI row that no installed copy pays (issue 20). Reading bytecode is still allowed.
    """
    compileall.compile_dir(PACKAGE, quiet=1)


def _modules(only: list[str]) -> list[str]:
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}")
        names = [n for n in names if n in only]
    return names


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def _table(rows: list[Row]) -> str:
    header = ["benchmark", "subject", "median", "baseline", "baseline median"]
    header += ["ratio", "target", "ok"]
    body = [
        [
            r.benchmark,
            r.subject,
            _fmt(r.median, r.unit),
            r.baseline or "-",
            _fmt(r.baseline_median, r.unit),
            _fmt(r.ratio),
            r.target or "-",
            {True: "yes", False: "NO", None: "-"}[r.passed],
        ]
        for r in rows
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *body, strict=True)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--only", nargs="*", default=[], help="benchmark names (bench_NAME.py)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    rows: list[Row] = []
    failed: list[str] = []
    _bytecode()
    with tempfile.TemporaryDirectory(prefix="kmm-bench-") as tmp:
        for name in _modules(args.only):
            started = time.perf_counter()
            print(f"== {name}", flush=True)
            try:
                module = importlib.import_module(f"benchmarks.bench_{name}")
                workdir = Path(tmp) / name
                workdir.mkdir(parents=True)
                ctx = Context(smoke=args.smoke, workdir=workdir, repeats=1 if args.smoke else 5)
                rows += module.run(ctx)
            except Exception:
                traceback.print_exc()
                failed.append(name)
            print(f"   {time.perf_counter() - started:.1f} s", flush=True)
    print(_table(rows))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "smoke": args.smoke,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "rows": [r.as_json() for r in rows],
        "errors": failed,
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    if failed:
        print(f"benchmarks that raised: {', '.join(failed)}", file=sys.stderr)
        return 2
    missed = [f"{r.benchmark}/{r.subject}" for r in rows if r.passed is False]
    if missed and not args.smoke:
        print(f"missed targets: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
