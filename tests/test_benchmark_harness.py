"""The benchmark runner's table and JSON: ratios are computed against the same run's baseline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.__main__ import _table
from benchmarks.harness import Row


def test_ratio_is_median_over_baseline_median() -> None:
    row = Row("upload", "kaltura-mm", median=1.2, unit="s", baseline="curl", baseline_median=1.0)
    assert row.ratio is not None
    assert abs(row.ratio - 1.2) < 1e-9
    assert Row("x", "y", median=1.0, unit="s").ratio is None


def test_table_shows_every_row_with_its_verdict() -> None:
    rows = [
        Row("b", "fast", 1.0, "s", "base", 2.0, "ratio <= 0.5", True),
        Row("b", "slow", 3.0, "s", "base", 2.0, "ratio <= 0.5", False),
    ]
    lines = _table(rows).splitlines()
    assert len(lines) == 4
    assert "fast" in lines[2] and "yes" in lines[2]
    assert "slow" in lines[3] and "NO" in lines[3] and "1.5" in lines[3]


def test_unknown_benchmark_name_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "no_such_thing", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "unknown benchmark(s): no_such_thing" in proc.stderr
    assert not out.exists()
