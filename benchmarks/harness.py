"""What a benchmark returns and how the runner measures: medians, ratios against a baseline
measured in the same run, a printed table and a JSON file.

A benchmark module ``benchmarks/bench_<name>.py`` defines ``run(ctx: Context) -> list[Row]``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Context:
    """What the runner gives every benchmark."""

    smoke: bool
    workdir: Path
    repeats: int = 5

    def scratch(self, name: str) -> Path:
        """Return a fresh scratch directory named ``name`` under the run's workdir."""
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@dataclass
class Row:
    """One measured subject, optionally compared with a baseline measured in the same run."""

    benchmark: str
    subject: str
    median: float
    unit: str
    baseline: str | None = None
    baseline_median: float | None = None
    target: str | None = None
    passed: bool | None = None
    samples: list[float] = field(default_factory=list)
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        """Return ``median / baseline_median``, or None without a baseline."""
        if self.baseline_median in (None, 0):
            return None
        assert self.baseline_median is not None
        return self.median / self.baseline_median

    def as_json(self) -> dict[str, Any]:
        """Return the row as a JSON-ready dict, ratio included."""
        return {**asdict(self), "ratio": self.ratio}


def sandbox_env(sb: Any, folder: Path, **more: str) -> dict[str, str]:
    """Return this environment without KALTURA_* settings, pointed at sandbox ``sb`` (its
    admin secret), with no config file (``folder``'s none) and ``more`` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(
        KALTURA_SERVICE_URL=sb.service_url,
        KALTURA_PARTNER_ID=str(sb.partner_id),
        KALTURA_ADMIN_SECRET=sb.admin_secret,
        KALTURA_MM_CONFIG=str(folder / "none.toml"),
        **more,
    )
    return env


def time_runs(fn: Callable[[], object], repeats: int, warmup: int = 0) -> list[float]:
    """Return wall-clock seconds of ``repeats`` calls of ``fn`` after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def median(samples: list[float]) -> float:
    """Return the median of ``samples``."""
    return statistics.median(samples)
