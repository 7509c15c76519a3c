"""What a scenario returns (``Verdict`` made of ``Check``s and figures) and what it is given.

A scenario never raises for a product failure: every property it verifies becomes a ``Check``
(passed or not, with the evidence), so the table shows what survived and what did not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Figure = int | float | str


@dataclass
class Context:
    """What the runner gives every scenario: size, scratch space, seed and a printer."""

    smoke: bool
    workdir: Path
    seed: int = 7
    say: Callable[[str], None] = print

    def scratch(self, name: str) -> Path:
        """Return a fresh scratch directory named ``name`` under the run's workdir."""
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@dataclass
class Check:
    """One property a scenario verified, and the evidence."""

    name: str
    passed: bool
    detail: str = ""


@dataclass
class Verdict:
    """A scenario's outcome: what it tried, what survived, its checks and measured figures."""

    scenario: str
    title: str
    tried: str = ""
    survived: str = ""
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None

    @property
    def passed(self) -> bool:
        """Return True when the scenario ran to the end and every check passed."""
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        """Record one check and return whether it passed."""
        self.checks.append(Check(name, bool(passed), detail))
        return bool(passed)

    def failed_checks(self) -> list[Check]:
        """Return the checks that did not pass."""
        return [c for c in self.checks if not c.passed]

    def as_json(self) -> dict[str, Any]:
        """Return the verdict as a JSON-ready dict."""
        return {**asdict(self), "passed": self.passed}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        """Rebuild a verdict written by ``as_json``."""
        fields = {k: v for k, v in data.items() if k != "passed"}
        fields["checks"] = [Check(**c) for c in fields.get("checks", [])]
        return cls(**fields)


class Stopwatch:
    """Measure the seconds since it was made."""

    def __init__(self) -> None:
        """Start now."""
        self.started = time.monotonic()

    def seconds(self) -> float:
        """Return the seconds elapsed."""
        return time.monotonic() - self.started
