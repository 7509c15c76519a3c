"""The upload tokens a run has listed, by file size, so each file's last look asks only for what
is newer (issue 20).

The last look (``kaltura_mm.upload.lookup``, recover rule 8) must see every token of the file's
size that may carry the upload's names. It asked for the newest 500 each time; in a run of files
of one size that page filled with the run's own tokens, so every file cost the server and the
client more than the one before, up to 500 tokens a file. Now the run remembers, per size, every
token a listing showed (its id and fileName, indexed by the mark in its name: a dict look-up per
file) and how far back its listings are *complete*: ``covered[size] = C`` when every token of
that size created before second C has been listed. A last look then asks for the newest
``LOOK_PAGE`` tokens and pages back further only until it reaches C; what it saw and what the
run saw before together are every token of the size, as exact as the lookup.

Why C is safe: a listing ordered by ``-createdAt`` shows every token that existed when it was
read, so every token created before its newest one (whole seconds, so strictly before that
second) was in it or deleted already. ``SKEW`` more seconds are asked for, in case two API
servers' clocks differ by a fraction of a second across a second's boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import attrs

from kaltura_mm.upload.identity import MARK_HEX, NAME_MARK, TokenNames

LOOK_PAGE = 200  # a run's tokens in the few seconds since the previous file's look, with room
FULL_PAGE = 500  # the largest page: asked when nothing of that size was listed completely yet
SKEW = 1  # seconds: a token created this much "earlier" by another server's clock is asked for


class SeenToken(NamedTuple):
    """What a listing showed of one token: enough to find it again by name and time (a tuple:
    a last look makes one per row it lists, up to 200 a file)."""

    id: str
    file_name: str
    created_at: int | None


def _marks(file_name: str) -> set[str]:
    """Return every mark ``file_name`` may carry (the hex after each ``.kmm``)."""
    marks, at = set(), file_name.find(NAME_MARK)
    while at >= 0:
        marks.add(file_name[at + len(NAME_MARK) : at + len(NAME_MARK) + MARK_HEX])
        at = file_name.find(NAME_MARK, at + 1)
    return marks


@attrs.define
class SeenTokens:
    """Every token of each size a run listed, and up to when its listings are complete (shared
    by the uploads of one batch, mutable)."""

    covered: dict[int, int] = attrs.Factory(dict)
    _by_mark: dict[str, dict[str, str]] = attrs.Factory(dict)  # mark -> token id -> fileName
    _names: dict[str, str] = attrs.Factory(dict)  # token id -> fileName, every token recorded

    def page_size(self, size: int) -> int:
        """Return the page a last look of ``size`` asks for first."""
        return LOOK_PAGE if size in self.covered else FULL_PAGE

    def reaches(self, size: int, listed: Iterable[SeenToken], *, exhausted: bool) -> bool:
        """Return whether ``listed`` (the newest tokens of ``size``; ``exhausted``: the last page
        was short, so no older one exists) and what was listed before show every token of it."""
        if exhausted:
            return True
        covered = self.covered.get(size)
        times = [t.created_at for t in listed if t.created_at is not None]
        return covered is not None and bool(times) and min(times) < covered - SKEW

    def record(self, size: int, listed: Iterable[SeenToken], *, complete: bool) -> None:
        """Remember ``listed``; ``complete``: together with earlier listings it is every token
        of ``size`` there was when it was read."""
        newest = None
        names = self._names
        for token in listed:
            if names.get(token.id) != token.file_name:  # a token listed before is known
                names[token.id] = token.file_name
                for mark in _marks(token.file_name):
                    self._by_mark.setdefault(mark, {})[token.id] = token.file_name
            if token.created_at is not None and (newest is None or token.created_at > newest):
                newest = token.created_at
        if complete and newest is not None:
            self.covered[size] = max(self.covered.get(size, newest), newest)

    def forget(self, token_ids: Iterable[str | None]) -> None:
        """Forget tokens known to be deleted (their coverage stands: they are gone)."""
        gone = {i for i in token_ids if i}
        if gone:
            for token_id in gone:
                self._names.pop(token_id, None)
            for known in self._by_mark.values():
                for token_id in gone & known.keys():
                    del known[token_id]

    def named(self, names: TokenNames) -> set[str]:
        """Return the ids of the tokens listed so far that carry ``names`` (receipt or marker)."""
        known = self._by_mark.get(names.prefix[-MARK_HEX:], {})
        return {
            token_id
            for token_id, file_name in known.items()
            if file_name == names.marker or names.entry_of(file_name) is not None
        }
