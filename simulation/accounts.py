"""What kind of account and session a run has: ``--accounts`` (spec sections 4.5 and 13).

Real MediaSpace/KMS partners differ from the plain admin account the simulation otherwise
drives: their categories carry a *privacy context* (given to every descendant), which keeps
them out of an entry's ``categoriesIds``; some have ``FEATURE_DISABLE_CATEGORY_LIMIT``, which
makes ``categoriesIds`` null; and their users run with USER sessions, which the server treats
harshly: only their own entries may be updated or deleted, ``uploadToken`` actions see only
their own tokens, ``baseEntry.list`` shows only their own entries without ``list:*``, and a
``referenceId`` is dropped silently (null in the answer) unless their role holds
``CONTENT_INGEST_REFERENCE_MODIFY``. Other users' entries sit in the same categories.

``Accounts.draw`` picks each of these per seed from its own random stream ("accounts"), so a
run with ``--accounts`` keeps every other draw of the same seed: the same knobs, the same
world, the same faults. ``Accounts()`` (``on`` false) is the plain admin account, exactly the
runs without the option.

Entitlement is not drawn: with it enforced, category membership (contributor and above) and
the KS privacy context decide what a user sees and may link, a model of its own (see
``docs/simulation.md``, "What is not simulated yet").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

USER = "sim-user@example.edu"  # the run's user under a USER session
OTHER = "other-user@example.edu"  # another user of the partner, whose entries share categories
PRIVACY_CONTEXT = "kms-sim"  # the context a MediaSpace instance sets on its root category
# The partner feature and role permissions the model reads (``PermissionName``).
DISABLE_CATEGORY_LIMIT = "FEATURE_DISABLE_CATEGORY_LIMIT"
REFERENCE_MODIFY = "CONTENT_INGEST_REFERENCE_MODIFY"
BASE_USER_SESSION = frozenset({"BASE_USER_SESSION_PERMISSION"})  # the default user role


@dataclass(frozen=True, slots=True)
class Accounts:
    """One run's account: the partner's categories and features, and the client's session."""

    on: bool = False  # drawn (``--accounts``): other users' entries are seeded too
    privacy_context: str = ""  # on the scenario's root category ("Sim"), inherited below
    disable_category_limit: bool = False  # FEATURE_DISABLE_CATEGORY_LIMIT
    user: str = ""  # the USER session's user; "" for the admin session
    list_all: bool = False  # the USER KS holds ``list:*``
    reference_modify: bool = False  # the user's role holds CONTENT_INGEST_REFERENCE_MODIFY
    others_share: float = 0.0  # of a walked category's entries, the share another user owns

    @classmethod
    def draw(cls, rng: random.Random) -> Accounts:
        """Return an account with each choice drawn (every value drawn whatever the others)."""
        context = rng.random() < 0.5
        no_limit = rng.random() < 0.3
        user = rng.random() < 0.6
        list_all = rng.random() < 0.5
        reference = rng.random() < 0.5
        share = rng.choice((0.05, 0.2, 0.5))
        return cls(
            on=True,
            privacy_context=PRIVACY_CONTEXT if context else "",
            disable_category_limit=no_limit,
            user=USER if user else "",
            list_all=user and list_all,
            reference_modify=user and reference,
            others_share=share,
        )

    @property
    def is_user(self) -> bool:
        """Return whether the client runs with a USER session."""
        return bool(self.user)

    @property
    def privileges(self) -> str | None:
        """Return the USER KS's privileges (None: none)."""
        return "list:*" if self.list_all else None

    @property
    def features(self) -> frozenset[str]:
        """Return the partner's features."""
        return frozenset({DISABLE_CATEGORY_LIMIT}) if self.disable_category_limit else frozenset()

    @property
    def roles(self) -> dict[str, frozenset[str]]:
        """Return the users whose role is not the partner's user-session role."""
        if not self.reference_modify:
            return {}
        return {self.user.lower(): BASE_USER_SESSION | {REFERENCE_MODIFY}}

    @property
    def sees_only(self) -> str | None:
        """Return whose entries ``baseEntry.list`` shows the client: the user's own under a
        USER session without ``list:*``, else None (every entry)."""
        return self.user if self.is_user and not self.list_all else None

    @property
    def owner(self) -> str:
        """Return the user owning what the client makes (and the scenario's own entries)."""
        return self.user

    def describe(self) -> str:
        """Return the account in a few words (for the replay's header)."""
        if not self.on:
            return "admin session, plain categories"
        session = "admin session"
        if self.is_user:
            rights = ["list:*" if self.list_all else "own entries only"]
            rights.append("referenceId kept" if self.reference_modify else "referenceId dropped")
            session = f"USER session of {self.user} ({', '.join(rights)})"
        context = f"privacy context {self.privacy_context!r}" if self.privacy_context else "plain"
        flag = "; FEATURE_DISABLE_CATEGORY_LIMIT" if self.disable_category_limit else ""
        return f"{session}; categories: {context}{flag}"
