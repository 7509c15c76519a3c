"""The markers of settled uploads, deleted in the run's next request (recover rule 8).

A marker says its run has not decided yet, so it goes only after the last look decided. A
request of its own per file would cost a round trip; instead the deletion rides the next
request the run sends anyway (another file's create), and the run's end sends the rest in one
request (``tidy.unmark_rest``). Until that request is answered the file's outcome is *held*
(``upload_many``'s ``on_outcome``, which the command line's journal follows): a run killed
in between has not reported the file, so its next start looks the file up again and deletes
the marker then, instead of leaving an open token that nothing looks for.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from kaltura_mm.protocol.calls import MultiRequest
from kaltura_mm.services import upload_token


@attrs.define
class Unmarks:
    """Markers to delete, the ones not yet confirmed gone, and the outcomes held until then
    (shared by the uploads of one batch, mutable)."""

    pending: list[str] = attrs.Factory(list)
    unconfirmed: set[str] = attrs.Factory(set)
    of_path: dict[str, str] = attrs.Factory(dict)
    held: list[tuple[str, Callable[[], None]]] = attrs.Factory(list)

    def add(self, path: str, marker: str) -> None:
        """Queue the marker of the upload of ``path``, whose last look decided."""
        self.pending.append(marker)
        self.unconfirmed.add(marker)
        self.of_path[path] = marker

    def carry(self, batch: MultiRequest) -> list[str]:
        """Add the queued deletions to ``batch``; return the markers it carries."""
        carried, self.pending = self.pending, []
        for marker in carried:
            batch.add(upload_token.delete(marker))
        return carried

    def answered(self, carried: list[str], *, sent: bool) -> None:
        """The request carrying ``carried`` was answered (``sent``) or failed: queue them again."""
        if not sent:
            self.pending.extend(carried)
            return
        self.unconfirmed.difference_update(carried)
        ready = [release for marker, release in self.held if marker not in self.unconfirmed]
        self.held = [(m, r) for m, r in self.held if m in self.unconfirmed]
        for release in ready:
            release()

    def hold(self, path: str, release: Callable[[], None]) -> bool:
        """Hold ``release`` (a file's outcome) until its marker is gone; False: nothing to wait."""
        marker = self.of_path.pop(path, None)
        if marker is None or marker not in self.unconfirmed:
            return False
        self.held.append((marker, release))
        return True
