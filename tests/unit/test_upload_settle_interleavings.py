"""Two runs racing on one file, every interleaving of their steps (recover rule 8, ``settle``).

Each run (its own state folder: nothing shared but the server) makes its marker, entry and
receipt in one create, completes the entry, lists the tokens under the file's names, reads the
entries they name (a later step: the other run may act in between), and decides with
``settle``: keep (its marker goes, then it reports), yield (its entry goes, then its marker,
then it reports the other's), or wait (it looks again; past a few looks the wait is over). Both
entries are made in the same second, so only the id orders them: the case that broke before.
Every order of every step of both runs is explored; in each, both runs end, whatever either
reports is live on the server at the end, they never report two different entries, and unless
a run's wait ran out (``RACED``: the file fails) exactly one entry is left.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from kaltura_mm.models import BaseEntry, EntryStatus, UploadToken, UploadTokenStatus
from kaltura_mm.upload.recover import LookupFindings, RecoveryStep, settle
from kaltura_mm.upload.request import FileFingerprint, UploadRequest, token_names

PRINT = FileFingerprint(size=9, mtime_ns=1, sample_sha256="ab", content_sha256="cd" * 32)
NAMES = token_names(UploadRequest(path=Path("/data/clip.mp4")), PRINT, "kmm-0123")
PATIENCE = 3  # looks before the wait is over
# A run's program: the steps it takes in order; "look" and "read" repeat while it waits.
CREATE, COMPLETE, LOOK, READ, DELETE_ENTRY, DELETE_MARKER, REPORT, DONE = range(8)

# The server: entry id -> "half" | "complete" | "deleted", and the markers still there.
Server = tuple[tuple[tuple[str, str], ...], frozenset[str]]
# A run: its step, the markers and receipts its look saw, its waits, its decision.
RunState = tuple[int, frozenset[str], frozenset[str], int, str, str]


def _entry(entry_id: str, status: str) -> BaseEntry:
    kind = {"half": EntryStatus.IMPORT, "complete": EntryStatus.READY}[status]
    return BaseEntry(id=entry_id, status=kind, created_at=100)


def _receipt(entry_id: str) -> UploadToken:
    status = UploadTokenStatus.PARTIAL_UPLOAD
    return UploadToken(id=f"t-{entry_id}", status=status, file_name=NAMES.receipt(entry_id))


def _marker(entry_id: str) -> UploadToken:
    return UploadToken(id=f"m-{entry_id}", status=UploadTokenStatus.PENDING, file_name=NAMES.marker)


def _step(me: str, run: RunState, server: Server) -> tuple[RunState, Server]:
    """Return run ``me``'s state and the server's after its next step."""
    step, markers, receipts, waits, decided, keeper = run
    entries, live_markers = dict(server[0]), server[1]
    if step == CREATE:
        entries[me] = "half"
        return (COMPLETE, *run[1:]), (tuple(sorted(entries.items())), live_markers | {me})
    if step == COMPLETE:
        entries[me] = "complete"
        return (LOOK, *run[1:]), (tuple(sorted(entries.items())), live_markers)
    if step == LOOK:  # the token list: the markers and receipts there now
        named = frozenset(e for e in entries)  # receipts stay (a deleted entry's too)
        return (READ, live_markers - {me}, named - {me}, waits, decided, keeper), server
    if step == READ:  # the entries its receipts name, read now (deleted ones are not returned)
        seen = [_entry(e, entries[e]) for e in sorted(receipts) if entries[e] != "deleted"]
        found = LookupFindings(
            tuple(seen), tuple(_receipt(e) for e in sorted(receipts)), tuple(map(_marker, markers))
        )
        own = _entry(me, "complete")
        patient = waits < PATIENCE
        decision = settle(own, (f"t-{me}", f"m-{me}"), found, NAMES, patient=patient)
        if decision.action is RecoveryStep.WAIT:
            return (LOOK, markers, receipts, waits + 1, decided, keeper), server
        kept = decision.entry.id if decision.entry else me
        after = DELETE_ENTRY if me in decision.stray_entries else DELETE_MARKER
        return (after, markers, receipts, waits, decision.action.value, kept), server
    if step == DELETE_ENTRY:
        entries[me] = "deleted"
        return (DELETE_MARKER, *run[1:]), (tuple(sorted(entries.items())), live_markers)
    if step == DELETE_MARKER:
        return (REPORT, *run[1:]), (server[0], live_markers - {me})
    return (DONE, *run[1:]), server  # REPORT: what it says is final from here on


@cache
def _ends(runs: tuple[RunState, RunState], server: Server) -> frozenset[tuple[object, ...]]:
    """Return every end (each run's decision and keeper, the server) reachable from here."""
    ends: set[tuple[object, ...]] = set()
    for index, me in enumerate(("0_aaa", "0_zzz")):
        if runs[index][0] != DONE:
            moved, after = _step(me, runs[index], server)
            both = (moved, runs[1]) if index == 0 else (runs[0], moved)
            ends |= _ends(both, after)
    if not ends:  # both done
        ends.add((runs[0][4], runs[0][5], runs[1][4], runs[1][5], server))
    return frozenset(ends)


@pytest.mark.parametrize("first", ["0_aaa", "0_zzz"])
def test_every_interleaving_of_two_runs_ends_with_one_live_entry_both_report(first: str) -> None:
    start: RunState = (CREATE, frozenset(), frozenset(), 0, "", "")
    server: Server = ((), frozenset())
    # one run's create lands first (its entry the only one for a while), then all orders
    runs = (start, start)
    index = ("0_aaa", "0_zzz").index(first)
    moved, server = _step(first, start, server)
    runs = (moved, start) if index == 0 else (start, moved)
    ends = _ends(runs, server)
    assert ends
    raced = 0
    for a_did, a_kept, b_did, b_kept, (entries, markers) in ends:
        live = {e for e, status in entries if status == "complete"}
        assert not markers  # every marker went
        reported = {kept for did, kept in ((a_did, a_kept), (b_did, b_kept)) if did != "raced"}
        assert reported <= live, (a_did, a_kept, b_did, b_kept, entries)  # never a dead id
        assert len(reported) <= 1  # the two never report different entries
        if "raced" in (a_did, b_did):
            raced += 1
        else:
            assert len(live) == 1  # exactly one entry is left
    assert raced < len(ends)  # a wait running out is the exception, not the rule
