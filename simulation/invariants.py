"""What must hold after every scenario and seed, checked against the model's ground truth.

- ``listed_once``: each entry that lives throughout a walk is listed exactly once; nothing is
  listed twice; nothing is listed that never belonged to the category;
- ``no_duplicate``: no source file has two live entries (and no live entry without content was
  left behind by the run);
- ``ready_identical``: every uploaded file has a live READY entry whose content is
  byte-identical to the source;
- ``reported_truth``: what the driver reported (entry ids, outcomes) is what the server holds;
- ``no_open_token``: no upload token is left PENDING, PARTIAL or FULL_UPLOAD;
- ``others_untouched`` (runs with ``--accounts``): no request of a USER session wrote to an
  entry another user owns, and the other users' entries a scenario seeded are as they were
  (status, name, referenceId, owner, content, categories: their ``categoryEntry`` rows);
- ``bounded``: the flows ended within the scenario's budget of requests and virtual time
  (the runner records a ``BudgetExceeded`` as this invariant's violation).
Each violation names the invariant, what is wrong, the ids involved, the scenario and the seed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from simulation.model.records import DELETED, OPEN_TOKEN_STATUSES, READY
from simulation.model.truth import EntryTruth, Truth
from simulation.reference.upload import SourceFile


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken invariant: which, what, the ids involved, where."""

    invariant: str
    detail: str
    ids: tuple[str, ...]
    scenario: str
    seed: int

    def __str__(self) -> str:
        shown = ", ".join(self.ids[:8]) + (f" (+{len(self.ids) - 8})" if len(self.ids) > 8 else "")
        where = f" [{shown}]" if shown else ""
        return f"{self.scenario} seed {self.seed}: {self.invariant}: {self.detail}{where}"


class Checker:
    """Collect the violations of one scenario run."""

    def __init__(self, scenario: str, seed: int) -> None:
        self.scenario, self.seed = scenario, seed
        self.violations: list[Violation] = []

    def fail(self, invariant: str, detail: str, ids: Iterable[str] = ()) -> None:
        """Record a violation."""
        self.violations.append(
            Violation(invariant, detail, tuple(sorted(ids)), self.scenario, self.seed)
        )

    def listed_once(self, listed: list[str], lived: set[str], belonged: set[str]) -> None:
        """Check a walk: ``lived`` must each appear once; all of ``listed`` must have belonged."""
        counts = Counter(listed)
        twice = {i for i, n in counts.items() if n > 1}
        if twice:
            self.fail("listed_once", f"{len(twice)} entries listed more than once", twice)
        missing = lived - counts.keys()
        if missing:
            self.fail(
                "listed_once", f"{len(missing)} entries that lived throughout missed", missing
            )
        strangers = counts.keys() - belonged
        if strangers:
            self.fail("listed_once", f"{len(strangers)} listed never were in it", strangers)

    def uploads(
        self,
        truth: Truth,
        sources: list[SourceFile],
        reported: dict[str, str],
        made_after: float,
        owner: str | None = None,
        refused: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """Check the entries made for ``sources`` since ``made_after`` (``owner``: the USER
        session's user, who must own every one of them; ``refused``: files the flow refused
        to upload for a reason the account gives, which must have left no entry)."""
        by_hash = {_digest(s.data): s.name for s in sources}
        live_new = [
            e
            for e in truth.entries.values()
            if e.created_at >= int(made_after) and e.status != DELETED
        ]
        per_source: dict[str, list[str]] = {s.name: [] for s in sources}
        for entry in live_new:
            name = by_hash.get(_digest(entry.content)) if entry.content is not None else None
            if name is None:
                self.fail(
                    "no_duplicate",
                    "a live entry the run made holds none of the files (a stray duplicate)",
                    [entry.id],
                )
            else:
                per_source[name].append(entry.id)
        for source in sources:
            ids, said = per_source[source.name], reported.get(source.name)
            if source.name not in refused:
                self._one_source(truth, source, ids, said)
            elif ids or said is not None:
                detail = f"{source.name} was refused, yet an entry holds it or was reported"
                self.fail("reported_truth", detail, [*ids, *([said] if said else [])])
        if owner is not None:
            theirs = [e.id for e in live_new if e.user_id.lower() != owner.lower()]
            if theirs:
                detail = f"{len(theirs)} entries the run made are not owned by {owner}"
                self.fail("no_duplicate", detail, theirs)

    def _one_source(
        self, truth: Truth, source: SourceFile, ids: list[str], reported: str | None
    ) -> None:
        if len(ids) > 1:
            self.fail("no_duplicate", f"{len(ids)} live entries for {source.name}", ids)
        ready = [i for i in ids if truth.entries[i].status == READY]
        if not ready:
            self.fail("ready_identical", f"no READY entry holds {source.name}'s bytes", ids)
        if reported is None:
            self.fail("reported_truth", f"no entry reported for {source.name}", ids)
        elif reported not in ids:
            self.fail(
                "reported_truth",
                f"{source.name} reported as an entry that does not hold it",
                [reported],
            )

    def no_open_token(self, truth: Truth) -> None:
        """Check that no upload token is left open."""
        open_ = [t.id for t in truth.tokens.values() if t.status in OPEN_TOKEN_STATUSES]
        if open_:
            self.fail("no_open_token", f"{len(open_)} upload tokens left open", open_)

    def nothing_foreign(self, truth: Truth) -> None:
        """Check that no request of a USER session wrote to another user's entry."""
        if truth.foreign_writes:
            ids = {entry_id for _, entry_id, _ in truth.foreign_writes}
            self.fail(
                "others_untouched", f"{len(ids)} entries of other users written by the run", ids
            )

    def untouched(self, truth: Truth, before: dict[str, EntryTruth]) -> None:
        """Check that the other users' entries in ``before`` are still as they were."""
        changed = [i for i, was in before.items() if truth.entries[i] != was]
        if changed:
            self.fail("others_untouched", f"{len(changed)} other users' entries changed", changed)

    def expected_state(self, truth: Truth, expected: dict[str, frozenset[int] | None]) -> None:
        """Check each entry's categories (None: deleted) against what the flows were to do.

        The categories are the entry's live ``categoryEntry`` rows (the store), never its
        ``categoriesIds``: a detach from a privacy-context category must really unlink it."""
        wrong = []
        for entry_id, categories in expected.items():
            entry = truth.entries[entry_id]
            actual = None if entry.status == DELETED else entry.categories
            if actual != categories:
                wrong.append(entry_id)
        if wrong:
            self.fail("reported_truth", f"{len(wrong)} entries not in the state asked for", wrong)


def _digest(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()
