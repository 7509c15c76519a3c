"""Cold ``import kaltura_mm`` plus client construction, beside the official client's, same run.

Each sample is a fresh interpreter that times, from inside, the import and the construction of a
client (``Client(...)`` here; ``KalturaClient(KalturaConfiguration())`` for the official client,
installed in a throwaway venv by ``benchmarks.official``). Interpreter start-up is the same for
both and left out. Goal (issue 19): at most a quarter of the official client's time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.harness import Context, Row, median
from benchmarks.official import official_python

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.25  # of the official client's import and construction, same run
OURS = (
    "import time; t = time.perf_counter(); import kaltura_mm; "
    "c = kaltura_mm.Client(service_url='https://www.kaltura.com', ks='x'); "
    "print(time.perf_counter() - t)"
)
OFFICIAL = (
    "import time; t = time.perf_counter(); "
    "from KalturaClient import KalturaClient, KalturaConfiguration; "
    "c = KalturaClient(KalturaConfiguration()); "
    "print(time.perf_counter() - t)"
)


def _sample(python: str | Path, code: str) -> float:
    out = subprocess.run(
        [str(python), "-X", "frozen_modules=on", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    return float(out.stdout.strip().splitlines()[-1])


def run(ctx: Context) -> list[Row]:
    """Measure both, alternating samples so machine noise hits both alike."""
    official = official_python()
    repeats = 3 if ctx.smoke else 15
    _sample(sys.executable, OURS), _sample(official, OFFICIAL)  # warm the OS file cache
    ours, theirs = [], []
    for _ in range(repeats):
        ours.append(_sample(sys.executable, OURS))
        theirs.append(_sample(official, OFFICIAL))
    ours_median, theirs_median = median(ours), median(theirs)
    return [
        Row(
            benchmark="import",
            subject="import kaltura_mm + Client()",
            median=ours_median * 1000,
            unit="ms",
            baseline="import KalturaClient + KalturaClient()",
            baseline_median=theirs_median * 1000,
            target=f"<= {TARGET_RATIO} of official",
            passed=ours_median <= theirs_median * TARGET_RATIO,
            samples=[s * 1000 for s in ours],
            notes=f"{repeats} fresh interpreters each; official samples: "
            + ", ".join(f"{s * 1000:.0f}" for s in theirs),
        )
    ]
