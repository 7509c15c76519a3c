"""Account presets: what the default partner holds when a sandbox starts on an empty folder.

- ``default``: a partner whose only categories are a KMS skeleton with a privacy context
  (``MediaSpace`` with ``privacyContext=MediaSpace``, ``MediaSpace>site>channels``,
  ``MediaSpace>site>galleries``), no entries and no entitlement: an entry linked there does not
  show the category in ``categoriesIds``, as on most real accounts.
- ``empty``: a partner with nothing at all (what every sandbox had before presets).
- ``mediaspace``: a MediaSpace/KMS-shaped account. Entitlement is on
  (``FEATURE_ENTITLEMENT``, enforced by default); the KMS tree has the privacy context
  ``MediaSpace`` on its root, so every category below it has ``privacyContexts="MediaSpace"``
  and none of them appears in an entry's ``categories``/``categoriesIds``; a category outside the
  tree (``Archive``) has no context. Channels have members (``category_users``) and READY
  entries owned by the users.

The preset is made with set-up shortcuts: its categories and entries are in the search index
at once, as if they had always existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kaltura_mm.sandbox import category_users, privacy, seeding
from kaltura_mm.sandbox.core import Core
from kaltura_mm.sandbox.search_index import CATEGORIES, ENTRIES
from kaltura_mm.sandbox.services.category import insert

ACCOUNTS = ("default", "empty", "mediaspace")
ENTITLEMENT = "FEATURE_ENTITLEMENT"
MEDIASPACE_CONTEXT = "MediaSpace"
ROOT = "MediaSpace"
SITE = f"{ROOT}>site"
CHANNELS = f"{SITE}>channels"
GALLERIES = f"{SITE}>galleries"
ALICE, BOB, CAROL, DAVE = (
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
)
PUBLIC, AUTHENTICATED, MEMBERS_ONLY = 1, 2, 3  # KalturaPrivacyType
CONTRIBUTION_ALL, MEMBERS_CONTRIBUTE = 1, 2  # KalturaContributionPolicyType
INHERIT, MANUAL = 1, 2  # KalturaInheritanceType
MEMBERS_LISTED = 3  # KalturaAppearInListType.CATEGORY_MEMBERS_ONLY

# full name -> the category's own properties (privacy context only on the root)
_MEDIASPACE_TREE: tuple[tuple[str, dict[str, Any]], ...] = (
    (ROOT, {"privacyContext": MEDIASPACE_CONTEXT, "privacy": PUBLIC}),
    (SITE, {"privacy": PUBLIC}),
    (CHANNELS, {"privacy": PUBLIC}),
    (GALLERIES, {"privacy": PUBLIC}),
    (
        f"{CHANNELS}>Open channel",
        {"privacy": AUTHENTICATED, "contributionPolicy": MEMBERS_CONTRIBUTE, "owner": ALICE},
    ),
    (
        f"{CHANNELS}>Private channel",
        {
            "privacy": MEMBERS_ONLY,
            "appearInList": MEMBERS_LISTED,
            "contributionPolicy": MEMBERS_CONTRIBUTE,
            "owner": ALICE,
        },
    ),
    (
        f"{GALLERIES}>Lectures",
        {"privacy": PUBLIC, "contributionPolicy": MEMBERS_CONTRIBUTE, "owner": ALICE},
    ),
    ("Archive", {}),
)
# the default account's part of a KMS tree: no entitlement, no members, no entries
_SKELETON: tuple[tuple[str, dict[str, Any]], ...] = (
    (ROOT, {"privacyContext": MEDIASPACE_CONTEXT, "privacy": PUBLIC}),
    (SITE, {"privacy": PUBLIC}),
    (CHANNELS, {"privacy": PUBLIC}),
    (GALLERIES, {"privacy": PUBLIC}),
)
# (category full name, user, KalturaCategoryUserPermissionLevel)
_MEDIASPACE_MEMBERS = (
    (f"{CHANNELS}>Open channel", ALICE, category_users.MANAGER),
    (f"{CHANNELS}>Open channel", BOB, category_users.CONTRIBUTOR),
    (f"{CHANNELS}>Private channel", ALICE, category_users.MANAGER),
    (f"{CHANNELS}>Private channel", CAROL, category_users.MEMBER),
    (f"{GALLERIES}>Lectures", ALICE, category_users.MANAGER),
    (f"{GALLERIES}>Lectures", BOB, category_users.CONTRIBUTOR),
)
# (entry name, owner, category full name or None)
_MEDIASPACE_ENTRIES = (
    ("Private lecture", ALICE, f"{CHANNELS}>Private channel"),
    ("Open talk", BOB, f"{CHANNELS}>Open channel"),
    ("Gallery lecture", ALICE, f"{GALLERIES}>Lectures"),
    ("Archived clip", DAVE, "Archive"),
    ("Carol's draft", CAROL, None),
)


@dataclass(frozen=True)
class Account:
    """What a preset made: its name, partner, category ids by full name, users, entries."""

    name: str
    partner_id: int
    categories: Mapping[str, int] = field(default_factory=dict)
    users: tuple[str, ...] = ()
    entries: Mapping[str, str] = field(default_factory=dict)
    privacy_context: str | None = None

    def category_id(self, full_name: str) -> int:
        """Return the id of one of the preset's categories by full name."""
        try:
            return self.categories[full_name]
        except KeyError:
            known = ", ".join(sorted(self.categories)) or "none"
            raise KeyError(
                f"the {self.name!r} account has no category {full_name!r} (it has: {known})"
            ) from None

    def channel_id(self, name: str) -> int:
        """Return the id of ``MediaSpace>site>channels>{name}``."""
        return self.category_id(f"{CHANNELS}>{name}")

    def gallery_id(self, name: str) -> int:
        """Return the id of ``MediaSpace>site>galleries>{name}``."""
        return self.category_id(f"{GALLERIES}>{name}")

    def entry_id(self, name: str) -> str:
        """Return the id of one of the preset's entries by name."""
        try:
            return self.entries[name]
        except KeyError:
            known = ", ".join(sorted(self.entries)) or "none"
            raise KeyError(f"the {self.name!r} account has no entry {name!r} ({known})") from None


def check_name(name: str) -> None:
    """Raise ValueError for an unknown preset name."""
    if name not in ACCOUNTS:
        raise ValueError(f"unknown account {name!r}: choose one of {', '.join(ACCOUNTS)}")


def make(core: Core, name: str, partner_id: int) -> Account:
    """Fill ``partner_id`` with the preset ``name`` and return what it made."""
    check_name(name)
    if name == "mediaspace":
        return _mediaspace(core, partner_id)
    if name == "default":
        return Account(
            name, partner_id, _tree(core, partner_id, _SKELETON), (), {}, MEDIASPACE_CONTEXT
        )
    return Account(name, partner_id)


def load(core: Core, name: str, partner_id: int) -> Account:
    """Return the preset ``name`` a persisted data folder already holds (found by names)."""
    check_name(name)
    if name == "empty":
        return Account(name, partner_id)
    tree = _MEDIASPACE_TREE if name == "mediaspace" else _SKELETON
    ids: dict[str, int] = {}
    for full_name, _ in tree:
        row = core.store.one(
            "SELECT id FROM categories WHERE partner_id = ? AND full_name = ? AND status = 2",
            (partner_id, full_name),
        )
        if row is not None:
            ids[full_name] = int(row[0])
    if name == "default":
        return Account(name, partner_id, ids, (), {}, MEDIASPACE_CONTEXT if ids else None)
    entries: dict[str, str] = {}
    for entry_name, owner, _ in _MEDIASPACE_ENTRIES:
        row = core.store.one(
            "SELECT id FROM entries WHERE partner_id = ? AND name = ? AND user_id = ?"
            " ORDER BY seq LIMIT 1",
            (partner_id, entry_name, owner),
        )
        if row is not None:
            entries[entry_name] = str(row[0])
    users = (ALICE, BOB, CAROL, DAVE)
    return Account("mediaspace", partner_id, ids, users, entries, MEDIASPACE_CONTEXT)


def _mediaspace(core: Core, partner_id: int) -> Account:
    core.set_feature(partner_id, ENTITLEMENT, True)
    ids = _tree(core, partner_id, _MEDIASPACE_TREE)
    now = int(core.clock.now())
    for full_name, user, level in _MEDIASPACE_MEMBERS:
        category_users.add(core.store, partner_id, ids[full_name], user, level, now)
    entries: dict[str, str] = {}
    for entry_name, owner, category in _MEDIASPACE_ENTRIES:
        category_id = ids[category] if category is not None else None
        made = seeding.seed_entries(
            core, partner_id, category_id, 1, name_prefix=entry_name, user_id=owner
        )
        with core.index.immediate():
            core.store.execute("UPDATE entries SET name = ? WHERE id = ?", (entry_name, made[0]))
        entries[entry_name] = made[0]
    marks = ",".join("?" * len(entries))
    core.index.absorb(ENTRIES, f"src.id IN ({marks})", tuple(entries.values()))
    users = (ALICE, BOB, CAROL, DAVE)
    return Account("mediaspace", partner_id, ids, users, entries, MEDIASPACE_CONTEXT)


def _tree(
    core: Core, partner_id: int, tree: tuple[tuple[str, dict[str, Any]], ...]
) -> dict[str, int]:
    """Insert categories parents first, each with its privacy contexts built from its parent's
    (``privacy`` rule 1); return full name -> id. Indexed at once (a set-up shortcut)."""
    ids: dict[str, int] = {}
    now = int(core.clock.now())
    with core.index.immediate(), core.store.tx() as conn:
        for full_name, props in tree:
            parent_name, _, name = full_name.rpartition(">")
            parent = None
            if parent_name:
                parent = conn.execute(
                    "SELECT * FROM categories WHERE id = ?", (ids[parent_name],)
                ).fetchone()
            inherited = privacy.contexts_of(parent["extra"]) if parent is not None else ""
            extra = dict(props)
            extra["privacyContexts"] = privacy.build(inherited, props.get("privacyContext"))
            ids[full_name] = insert(conn, partner_id, parent, name, now, extra)
    marks = ",".join("?" * len(ids))
    core.index.absorb(CATEGORIES, f"src.id IN ({marks})", tuple(ids.values()))
    return ids


def describe(account: Account) -> dict[str, Any]:
    """Return the account as JSON-able data (``sandbox serve --json``)."""
    return {
        "account": account.name,
        "categories": dict(account.categories),
        "users": list(account.users),
        "entries": dict(account.entries),
        "privacy_context": account.privacy_context,
    }
