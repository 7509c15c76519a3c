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
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_patterns", tuple(re.compile(e) for e in self.evidence))

    def shown_by(self, violation: str) -> bool:
        """Return whether ``violation`` ("invariant: detail") is this bug's evidence."""
        return any(p.search(violation) for p in self._patterns)


def _seeds(**by_scenario: str) -> Mapping[str, frozenset[int]]:
    return {scenario: frozenset(map(int, seeds.split())) for scenario, seeds in by_scenario.items()}


KNOWN_BUGS: tuple[KnownBug, ...] = (
    KnownBug(
        name="short-page-ends-walk",
        issue="issue 10 B (listing stops at a short page)",
        at_fault=(
            "kaltura_mm/flows/listing.py Keyset.advance: `len(page.objects) < page_size` ends "
            "the walk, but a page is short whenever the store re-read drops rows deleted after "
            "they were indexed (SphinxCriteria::applySphinxResult) while more remain"
        ),
        evidence=(r"^listed_once: \d+ entries that lived throughout missed",),
        needs_event="list.short_page",
        seeds=_seeds(
            list_all=(
                "3 8 10 12 14 19 20 21 23 28 31 34 35 36 39 41 43 47 50 51 56 57 59 69 "
                "71 74 75 79 80 81 86 87 88 92 93 96 99 102 103 105 109 110 111 113 118 "
                "119 123 124 126 128 129 131 132 133 135 137 144 146 147 150 151 152 "
                "153 154 155 161 165 168 171 175 176 179 184 186 187 191 192 193 195 "
                "198"
            ),
        ),
    ),
    KnownBug(
        name="stale-size-on-complete-token",
        issue="issue 10 B (FULL_UPLOAD with a smaller size treated as incomplete)",
        at_fault=(
            "kaltura_mm/upload/plan.py `whole` (via recover.held): a FULL_UPLOAD/CLOSED token "
            "counts as complete only at uploadedFileSize == size, but a middle chunk that "
            "loaded before the final one completed writes its smaller size last "
            "(kUploadTokenMgr, last writer wins); verify.py then says 'the server holds N of "
            "M bytes' and chunks.py re-sends into the closed token (INVALID_STATUS)"
        ),
        evidence=(
            r"UploadError: the server holds \d+ of \d+ bytes \(token status [23]\)",
            r"UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD",
        ),
        seeds=_seeds(
            upload_one="24 64 71 97 116 136 170",
            upload_many=(
                "0 10 38 39 41 44 56 64 80 81 88 107 111 114 119 126 143 144 149 166 "
                "168 170 186 190 198"
            ),
            resume_after_kill="13 19 40 47 50 81 88 100 104 143 147 175 183 190",
        ),
    ),
    KnownBug(
        name="lookup-trusts-lagging-index",
        issue="issue 10 B (recovery trusting referenceIdEqual under lag)",
        at_fault=(
            "kaltura_mm/upload/lookup.py after_lookup + recover.py decide: after a create whose "
            "answer was lost (or a kill), referenceIdEqual reads the lagging index, finds "
            "nothing and a second entry is made, although the upload's token, found exactly by "
            "its fileName, proves the first create ran; the last look reads the same lagging "
            "list and keeps both"
        ),
        evidence=(r"^no_duplicate: ",),
        seeds=_seeds(
            upload_one="45",
            upload_many="44 45 47 70 94 124 183 189",
            resume_after_kill="77 132",
        ),
    ),
    KnownBug(
        name="blocked-multirequest-not-retried",
        issue="issue 10 C (found by the simulation)",
        at_fault=(
            "a multiRequest answered ACTION_BLOCKED on every item ran nothing, yet it is "
            "taken as a failure: kaltura_mm/upload/create.py `create` cleans up and raises "
            "'could not create the entry', upload/verify.py `verify` raises on "
            "response[token], flows/entries.py `get_entries` (detach's check) raises "
            "ActionBlockedError; runtime/retry.py retries a throttled call but not a "
            "MultiResponse whose every item is throttled (as runtime/renewal.py does for an "
            "all-EXPIRED one)"
        ),
        evidence=(
            r"UploadError: could not [^:]*: ACTION_BLOCKED",
            r'stopped: ACTION_BLOCKED: Action "get" in service "uploadtoken"',
            r"^flow_failed: ActionBlockedError: ",
        ),
        seeds=_seeds(
            upload_one="19 33 146 188 192",
            upload_many=(
                "7 10 18 22 66 73 95 105 110 124 138 147 150 169 175 176 178 183 188 189 192"
            ),
            resume_after_kill="31 58 122 126 151 153 164",
            batches="128 131 154",
        ),
    ),
    KnownBug(
        name="ready-poll-not-patient",
        issue="issue 10 C (found by the simulation)",
        at_fault=(
            "kaltura_mm/upload/verify.py `wait_ready`: the READY poll is a bare "
            "`yield base_entry.get(...)`, not `patiently`: one poll that fails its 4 runtime "
            "attempts (resets, 5xx, ACTION_BLOCKED) ends an upload that is complete in "
            "UploadError"
        ),
        evidence=(r"stopped: .*\(in baseEntry\.get\)$",),
        seeds=_seeds(
            upload_many="161 169",
        ),
    ),
)


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
    return judge(result.scenario, result.seed, found, result.events)


def judge(
    scenario: str,
    seed: int,
    violations: list[str],
    events: Mapping[str, int],
    bugs: tuple[KnownBug, ...] = KNOWN_BUGS,
) -> Verdict:
    """Return the verdict of one run whose violations read "invariant: detail"."""
    listed = [b for b in bugs if seed in b.seeds.get(scenario, frozenset())]
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
