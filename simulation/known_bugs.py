"""Client bugs the simulation found and that are being fixed, by seed: ``--known-bugs``, strict.

Each bug names its issue, the client's file and rule at fault, the violations that are its
evidence, and the seeds (of 0..199, what CI runs) that fail with it. With ``--known-bugs`` a
listed seed passes only if it fails exactly as listed: every violation is evidence of one of
its bugs or a consequence of one (a file not reported, a token left open), and every bug listed
for it shows its evidence. A listed seed that passes, or that no longer shows one of its bugs,
fails the run with "fixed: remove it" (like ``xfail(strict=True)``); an unlisted failure fails
as always. Without the flag nothing here is read: every failure fails.

Regenerate nothing by hand from a run's output: each seed was read (``--trace``) before it was
listed. When a fix lands, the seeds it fixes fail as "fixed" until removed here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulation.runner import RunResult

# What any bug that stops an upload leaves behind: the file not reported, no READY entry of it,
# its token kept open for resume_upload (an UploadError keeps entry and token).
CONSEQUENCES = (
    r"^reported_truth: no entry reported for ",
    r"^ready_identical: no READY entry holds ",
    r"^no_open_token: \d+ upload tokens left open",
    r"^reported_truth: \d+ items not reported done",
    r"^reported_truth: \d+ entries not in the state asked for",
)


@dataclass(frozen=True)
class KnownBug:
    """One client bug: where it is, what shows it, which CI seeds fail with it."""

    name: str
    issue: str
    at_fault: str
    evidence: tuple[str, ...]  # regexes on "invariant: detail"; one must match
    seeds: Mapping[str, frozenset[int]]
    needs_event: str | None = None  # a model event the run must show (the cause, not a guess)
    accounts: bool = False  # the seeds are of runs with ``--accounts`` (the account drawn)
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_patterns", tuple(re.compile(e) for e in self.evidence))

    def shown_by(self, violation: str) -> bool:
        """Return whether ``violation`` ("invariant: detail") is this bug's evidence."""
        return any(p.search(violation) for p in self._patterns)


def _seeds(**by_scenario: str) -> Mapping[str, frozenset[int]]:
    return {scenario: frozenset(map(int, seeds.split())) for scenario, seeds in by_scenario.items()}


# Every client bug the simulation found so far is fixed (docs/simulation.md, "Bugs it found"):
# listing at a short page, a stale size over a finished token, the lookup trusting a lagging
# index, blocked multiRequests, the READY poll, a blocked create request losing its receipt's
# name, clean-up deletes and the category check that were not patient. A new one is listed here,
# read with --trace first, until its fix lands.
KNOWN_BUGS: tuple[KnownBug, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """How a run stands against the known bugs: ``passed``, ``known``, ``fixed`` or ``failed``."""

    status: str
    detail: str = ""
    bugs: tuple[str, ...] = ()  # the known bugs a ``known`` run failed with


def verdict(result: RunResult) -> Verdict:
    """Return the verdict of a finished run (a model gap is never a known bug)."""
    if result.model_gap:
        return Verdict("failed", result.model_gap)
    found = [f"{v.invariant}: {v.detail}" for v in result.violations]
    return judge(result.scenario, result.seed, found, result.events, accounts=result.accounts)


def judge(
    scenario: str,
    seed: int,
    violations: list[str],
    events: Mapping[str, int],
    bugs: tuple[KnownBug, ...] | None = None,
    accounts: bool = False,
) -> Verdict:
    """Return the verdict of one run whose violations read "invariant: detail" (against
    ``bugs``, by default the ``KNOWN_BUGS`` of the moment; ``accounts``: a run with
    ``--accounts``, judged against the bugs listed for such runs only)."""
    bugs = KNOWN_BUGS if bugs is None else bugs
    listed = [
        b for b in bugs if b.accounts == accounts and seed in b.seeds.get(scenario, frozenset())
    ]
    if not listed:
        return Verdict("failed" if violations else "passed")
    if not violations:
        names = ", ".join(b.name for b in listed)
        return Verdict("fixed", f"passes now: remove seed {seed} from {names} in known_bugs")
    unexplained = [
        v
        for v in violations
        if not any(b.shown_by(v) for b in listed) and not any(re.search(c, v) for c in CONSEQUENCES)
    ]
    if unexplained:
        return Verdict("failed", f"not a known bug: {unexplained[0]}")
    gone = [
        b.name
        for b in listed
        if not any(b.shown_by(v) for v in violations)
        or (b.needs_event is not None and not events.get(b.needs_event))
    ]
    if gone:
        return Verdict("fixed", f"no longer shows {', '.join(gone)}: remove seed {seed} there")
    said = ", ".join(f"{b.name} ({b.issue})" for b in listed)
    return Verdict("known", said, tuple(b.name for b in listed))
