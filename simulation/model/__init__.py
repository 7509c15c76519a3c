"""An in-process Kaltura API v3, written from the spec, on a virtual clock.

It takes HTTP requests as plain values and answers as the real server writes JSON (and XML),
with the real server's unkindness turned by knobs (``simulation.knobs.ModelKnobs``): a search
index that lags the store, two-phase lists with short pages, IN cuts and the 10,000 cap,
upload requests that race, final chunks that wait, transcoding delays, a fixed-window rate
limiter and KS expiry. It imports nothing from the client side of ``kaltura_mm`` (only pure
helpers of the sandbox, itself written from the spec), so it can catch the client's mistakes.

    model = KalturaModel(VirtualClock(), ModelKnobs(), random.Random(7))
    partner = model.add_partner(101, "admin-secret", "user-secret")
    job = model.submit(request)          # an HttpRequest
    step = job.step()                    # Pause (may continue at/after step.until) or HttpResponse
"""

from __future__ import annotations

import random

from simulation.clock import VirtualClock
from simulation.http import HttpRequest, HttpResponse
from simulation.knobs import ModelKnobs
from simulation.model import flavors, truth
from simulation.model.categories import new_category
from simulation.model.front import serve
from simulation.model.jobs import NotModelled, Pause, Steps
from simulation.model.records import (
    CE_ACTIVE,
    CLOSED,
    MEDIA_CLIP,
    READY,
    VIDEO,
    Category,
    CategoryEntry,
    Entry,
    Token,
)
from simulation.model.state import Partner, State

__all__ = ["Job", "KalturaModel", "NotModelled", "Partner", "Pause"]


class Job:
    """One request being served: ``step()`` until it returns the response."""

    __slots__ = ("_state", "_steps", "response")

    def __init__(self, state: State, steps: Steps[HttpResponse]) -> None:
        self._state = state
        self._steps = steps
        self.response: HttpResponse | None = None

    def step(self) -> Pause | HttpResponse:
        """Run until the next pause; return it, or the response once the request is done."""
        self._state.tick()
        try:
            return next(self._steps)
        except StopIteration as done:
            response: HttpResponse = done.value
            self.response = response
            return response


class KalturaModel:
    """The server: partners, requests in, responses out, ground truth on demand."""

    def __init__(self, clock: VirtualClock, knobs: ModelKnobs, rng: random.Random) -> None:
        self.clock = clock
        self.state = State(clock, knobs, rng)

    def add_partner(
        self,
        partner_id: int,
        admin_secret: str,
        user_secret: str,
        features: frozenset[str] = frozenset(),
        roles: dict[str, frozenset[str]] | None = None,
    ) -> Partner:
        """Create a partner account (``features``: ``FEATURE_…`` it has; ``roles``: user id
        -> the permissions of its role, others have the user-session role)."""
        partner = Partner(partner_id, admin_secret, user_secret, features, dict(roles or {}))
        self.state.partners[partner_id] = partner
        return partner

    def submit(self, request: HttpRequest, blocked: bool = False) -> Job:
        """Start serving ``request`` (``blocked``: answer ``ACTION_BLOCKED`` to every call)."""
        return Job(self.state, serve(self.state, request, blocked))

    def truth(self) -> truth.Truth:
        """Return the ground truth now."""
        return truth.take(self.state)

    def listable(self, category_id: int, owner: str | None = None) -> set[str]:
        """Return the entries a list of ``category_id`` must find, as of now (``owner``: only
        that user's)."""
        return truth.listable(self.state, category_id, owner)

    # World setup: rows that "always existed", indexed at once, outside any request.

    def seed_category(self, partner_id: int, path: str, privacy_context: str = "") -> int:
        """Create the categories of ``A>B>C`` that do not exist; return the last one's id.

        ``privacy_context`` is given to the first one (``A``) if this makes it; its descendants
        inherit it, as ``category::save`` gives them the contexts of their ancestors.
        """
        state = self.state
        parent: Category | None = None
        for depth, name in enumerate(path.split(">")):
            full = ">".join(path.split(">")[: depth + 1])
            found = [c for c in state.categories.values() if c.full_name == full]
            own = privacy_context if depth == 0 else ""
            parent = found[0] if found else new_category(state, partner_id, parent, name, own)
            state.categories[parent.id] = parent
            state.category_index.put_now(parent.id, state.category_doc(parent))
        assert parent is not None
        return parent.id

    def seed_entry(
        self,
        partner_id: int,
        name: str,
        content: bytes,
        category_id: int | None,
        created_at: int,
        user_id: str = "",
        reference_id: str = "",
    ) -> str:
        """Create a READY entry of ``user_id`` in a category (None: in none), already
        indexed; return its id."""
        state = self.state
        entry = Entry(
            state.mint_entry_id(),
            state.mint_int_id(),
            partner_id,
            user_id,
            name,
            MEDIA_CLIP,
            READY,
            created_at,
            created_at,
            media_type=VIDEO,
            reference_id=reference_id,
            content=content,
        )
        state.entries[entry.id] = entry
        flavors.seeded(state, entry)
        if category_id is not None:
            row = CategoryEntry(category_id, entry.id, partner_id, CE_ACTIVE, created_at, user_id)
            state.category_rows[entry.id] = {category_id: row}
        state.entry_index.put_now(entry.id, state.entry_doc(entry))
        return entry.id

    def seed_receipt(self, entry_id: str, file_name: str, created_at: int) -> str:
        """Create the CLOSED upload token that filled ``entry_id`` (its owner's, holding its
        content, attached to it), as a finished upload leaves it; return its id."""
        state = self.state
        entry = state.entries[entry_id]
        data = bytearray(entry.content or b"")
        token = Token(
            state.mint_token_id(),
            entry.partner_id,
            entry.user_id,
            CLOSED,
            created_at,
            created_at,
            file_name=file_name,
            file_size=float(len(data)),
            uploaded_file_size=len(data),
            has_temp_path=True,
            attached_type="KalturaMediaEntry",
            attached_id=entry_id,
            entry_id=entry_id,
            data=data,
        )
        state.tokens[token.id] = token
        return token.id
