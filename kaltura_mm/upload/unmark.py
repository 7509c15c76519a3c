"""Markers a batch decided on, whose deletion rides the next file's create request (issue 20).

A marker goes only once its run's last look decided (recover rule 8): alone, that is a request
per file. In a batch (``upload_many``) with files still to start, the deletion of a decided
marker is queued instead, and the file's flow ends; the next file's turn comes at once (its
slot is free), and its create request carries the queue, or, if its first request is not a
create (a resume, a file found made), it sends the queue first, as does any turn once a
deletion waited ``CARRY_WAIT``; the last files' go together (``settle_last``). So a
queued marker waits about one request of the run, never for another file's long upload.
The file's outcome is held until its marker's deletion is answered: a marker still there says
its run has not reported (another run racing on the file waits for it, rule 8), and a run
killed in between reported nothing (its journal does not hold the file as done, so a re-run
looks again and deletes the marker). A marker whose deletion failed is reported anyway, as a
deletion done at once would be (``tidy``: the next lookup deletes it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import attrs

from kaltura_mm.errors import KalturaError, UploadTokenNotFoundError
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.patience import Patience, patiently
from kaltura_mm.runtime.poll import Every, pause_before
from kaltura_mm.services import upload_token
from kaltura_mm.upload.request import UploadOptions

log = logging.getLogger("kaltura_mm.client")

CARRY_WAIT = 2.0  # seconds a decided marker waits for a create to carry it, at most
# seconds the markers of a batch's last files (no turn left to carry them) wait for each other:
# files that run at once decide within one round of answers, and their deletions go together
GROUP_WAIT = 0.05
CARRIED_PER_REQUEST = 20  # marker deletions one create request carries, at most
Carried = list[tuple[str, str, Ref[None]]]  # reference id, marker, its deletion


@attrs.define
class Unmarks:
    """The batch's decided markers (by reference id), queued or carried, and the outcomes held
    for them (mutable, shared by the batch's uploads through ``SessionFacts``)."""

    carry: bool = False  # a batch: deletions ride later requests; else each goes at once
    unstarted: int = 0  # the batch's files whose turn has not come: the next one carries
    _queued: dict[str, tuple[str, float]] = attrs.Factory(dict)  # reference id -> marker, when
    _carried: set[str] = attrs.Factory(set)  # reference ids whose deletion is on its way
    _held: dict[str, list[Callable[[], None]]] = attrs.Factory(dict)

    def carries(self) -> bool:
        """Return whether a decided marker may be queued: in a batch, a later file's turn
        carries it, or, when none is left, ``settle_last`` sends it with the others."""
        return self.carry

    def queue(self, reference_id: str, marker: str, now: float) -> None:
        """Queue the deletion of the decided ``marker`` of the upload ``reference_id``."""
        self._queued[reference_id] = (marker, now)

    def hold(self, reference_id: str, then: Callable[[], None]) -> None:
        """Call ``then`` once the upload's marker is deleted (at once if none is waiting)."""
        if reference_id in self._queued or reference_id in self._carried:
            self._held.setdefault(reference_id, []).append(then)
        else:
            then()

    def ride(self, batch: MultiRequest) -> Carried:
        """Add the queued deletions (up to ``CARRIED_PER_REQUEST``) to ``batch``."""
        carried: Carried = []
        for reference_id in list(self._queued)[:CARRIED_PER_REQUEST]:
            marker, _ = self._queued.pop(reference_id)
            self._carried.add(reference_id)
            carried.append((reference_id, marker, batch.add(upload_token.delete(marker))))
        return carried

    def answered(self, carried: Carried, response: MultiResponse | None) -> None:
        """Release the outcomes held for ``carried`` (``response`` None: the request failed,
        and the deletions are queued again)."""
        for reference_id, marker, ref in carried:
            self._carried.discard(reference_id)
            if response is None:
                self._queued[reference_id] = (marker, float("-inf"))  # due: the next flush
                continue
            outcome = response.outcome(ref)
            if isinstance(outcome, KalturaError) and not isinstance(
                outcome, UploadTokenNotFoundError
            ):
                log.warning("could not delete an upload's marker now (the next run's lookup will)")
            for held in self._held.pop(reference_id, []):
                held()

    def due(self, now: float) -> bool:
        """Return whether a queued deletion waited ``CARRY_WAIT`` or longer."""
        return any(now - at >= CARRY_WAIT for _, at in self._queued.values())

    def settle_last(self, reference_id: str, options: UploadOptions) -> Flow[None]:
        """With no turn left to carry it, send the queued marker of ``reference_id`` after
        ``GROUP_WAIT``, with every marker the files running at once queued meanwhile (one
        request for the batch's last files, where each used to send its own)."""
        if reference_id not in self._queued:
            return
        yield from pause_before(1, Every(first=GROUP_WAIT, cap=GROUP_WAIT, spread=0.0))
        if reference_id in self._queued:  # else another file's settle sent it already
            yield from self.flush(options)

    def flush(self, options: UploadOptions) -> Flow[None]:
        """Send every queued deletion now (a multiRequest per ``CARRIED_PER_REQUEST``)."""
        patience = Patience(options.max_attempts, options.backoff_base, options.backoff_cap)
        while self._queued:
            batch = MultiRequest()
            carried = self.ride(batch)
            try:
                response: MultiResponse = yield from patiently(batch, patience)
            except KalturaError as exc:
                log.warning("could not delete upload markers now (the next lookup will): %s", exc)
                for reference_id, _, _ in carried:  # reported as a failed deletion at once
                    self._carried.discard(reference_id)
                    for held in self._held.pop(reference_id, []):
                        held()
                continue
            self.answered(carried, response)
