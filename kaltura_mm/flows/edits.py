"""Edit entries' metadata in bulk: read them, send only what differs, one outcome per entry.

Rules kept here:

1. Only the fields an edit gives are looked at, and of those only the ones that differ from what
   the server holds are sent (``baseEntry.update`` in the batch engine's multiRequests, paced);
   an entry with nothing to change is ``already_done`` and costs no write.
2. Values are compared as the server stores them: tags trimmed, ASCII lower-cased, tags under 2
   bytes dropped, cut to 100 bytes, deduplicated, and compared as a set (the server rewrites
   ``"Bio,Lab ,a"`` as ``"bio, lab"``); admin tags likewise, keeping one-byte ones. Without this
   a re-run would "update" tags forever.
3. An empty value clears the field (sent as ``field__null``: the server refuses an empty
   ``referenceId``). A name cannot be cleared.
4. ``add_tags`` / ``remove_tags`` apply to the tags the server holds when the entries are read,
   in the same request that reads every other entry (``getByIds``, 500 an item).
5. An update is ``done`` only when its answer holds what was sent. The server drops a field the
   session's role may not write (``name``, ``description`` and ``tags`` need
   ``CONTENT_MANAGE_METADATA``, ``referenceId`` ``CONTENT_INGEST_REFERENCE_MODIFY``) and says so
   only in a response header; the entry it returns keeps the old value. Such an entry is
   ``failed`` with a ``FieldNotWritableError`` naming the fields and the permission.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.errors import (
    ConfigError,
    EntryNotFoundError,
    FieldNotWritableError,
    KalturaError,
)
from kaltura_mm.flows.batch import RETRY, Classify, Operation, Pace, Status, settle_all
from kaltura_mm.flows.entries import get_entries
from kaltura_mm.models import BaseEntry, BaseEntryParams
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.throttle import is_blocked
from kaltura_mm.services import base_entry

FIELDS = ("name", "description", "tags", "admin_tags", "reference_id", "partner_data")
"""The metadata fields an edit (and a sync manifest) may set, as ``BaseEntry`` names them."""
WRITE_PERMISSIONS = {
    "name": "CONTENT_MANAGE_METADATA",
    "description": "CONTENT_MANAGE_METADATA",
    "tags": "CONTENT_MANAGE_METADATA",
    "reference_id": "CONTENT_INGEST_REFERENCE_MODIFY",
}
"""The permission a role needs to write each field on update (``object.KalturaBaseEntry.ini``)."""
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MAX_TAG_BYTES = 100


def _split(value: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(t.strip() for t in items if t.strip())


def _some(value: Iterable[str] | str | None) -> tuple[str, ...]:
    return _split(value) or ()


def tag_set(value: str | Iterable[str] | None, *, admin: bool = False) -> frozenset[str]:
    """Return tags as the server keeps them (rule 2), as a set."""
    kept = set()
    for raw in _some(value):
        tag = raw.translate(_ASCII_LOWER)
        if not admin and len(tag.encode()) < 2:
            continue
        kept.add(tag.encode()[:_MAX_TAG_BYTES].decode(errors="ignore"))
    return frozenset(kept)


@attrs.frozen(kw_only=True)
class EntryEdit:
    """New metadata for one entry; None leaves a field alone, ``""`` (or no tags) clears it."""

    entry_id: str
    name: str | None = None
    description: str | None = None
    tags: tuple[str, ...] | None = attrs.field(default=None, converter=_split)
    add_tags: tuple[str, ...] = attrs.field(default=(), converter=_some)
    remove_tags: tuple[str, ...] = attrs.field(default=(), converter=_some)
    admin_tags: tuple[str, ...] | None = attrs.field(default=None, converter=_split)
    reference_id: str | None = None
    partner_data: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.entry_id, str) or not self.entry_id.strip():
            raise ConfigError(
                f"an edit needs an entry id such as '0_abc12345', got {self.entry_id!r}"
            )
        if self.name is not None and not self.name.strip():
            raise ConfigError(f"entry {self.entry_id}: a name cannot be empty")
        if self.tags is not None and (self.add_tags or self.remove_tags):
            raise ConfigError(
                f"entry {self.entry_id}: give the whole tags, or tags to add and remove, not both"
            )

    @property
    def empty(self) -> bool:
        """Return whether the edit sets nothing."""
        plain = (getattr(self, f) for f in FIELDS)
        return all(v is None for v in plain) and not (self.add_tags or self.remove_tags)


Values = Mapping[str, str | None]


@attrs.frozen
class EditOutcome:
    """What happened to one entry: ``status`` as ``EntryOutcome``'s, and the fields that differed,
    as the server held them (``before``) and as asked (``after``)."""

    entry_id: str
    status: Status
    before: Values = attrs.field(factory=dict)
    after: Values = attrs.field(factory=dict)
    error: KalturaError | None = None

    @property
    def ok(self) -> bool:
        """Return whether the entry ended as asked (or would, in a dry run)."""
        return self.status != "failed"


def _text(value: str | None) -> str:
    return value or ""


def _wanted_tags(edit: EntryEdit, entry: BaseEntry) -> tuple[str, ...] | None:
    if edit.tags is not None:
        return edit.tags
    if not (edit.add_tags or edit.remove_tags):
        return None
    removed = tag_set(edit.remove_tags)
    kept = [t for t in _some(entry.tags) if tag_set([t]).isdisjoint(removed) and tag_set([t])]
    return (*kept, *edit.add_tags)


def differences(edit: EntryEdit, entry: BaseEntry) -> tuple[dict[str, str | None], dict[str, str]]:
    """Return the fields ``edit`` changes on ``entry``: (before, after), after as it is sent."""
    before: dict[str, str | None] = {}
    after: dict[str, str] = {}
    for field in ("name", "description", "reference_id", "partner_data"):
        wanted = getattr(edit, field)
        if wanted is not None and _text(wanted) != _text(getattr(entry, field)):
            before[field], after[field] = getattr(entry, field), wanted
    for field, admin, wanted_tags in (
        ("tags", False, _wanted_tags(edit, entry)),
        ("admin_tags", True, edit.admin_tags),
    ):
        current = getattr(entry, field)
        if wanted_tags is not None and tag_set(wanted_tags, admin=admin) != tag_set(
            current, admin=admin
        ):
            before[field], after[field] = current, ",".join(wanted_tags)
    return before, after


def update_call(entry_id: str, after: Values) -> Call[BaseEntry]:
    """Return the ``baseEntry.update`` sending ``after`` (an empty value clears: rule 3)."""
    set_: dict[str, Any] = {k: v for k, v in after.items() if v}
    clear = [k for k, v in after.items() if not v]
    return base_entry.update(entry_id, BaseEntryParams(**set_), clear=clear)


def kept_fields(after: Values, answer: BaseEntry) -> tuple[str, ...]:
    """Return the fields of ``after`` that ``answer`` (the update's answer) does not hold as sent
    (rule 5): tags compared as the server keeps them (rule 2), text with its ends trimmed."""
    kept = []
    for field, sent in after.items():
        held = getattr(answer, field)
        if field in ("tags", "admin_tags"):
            admin = field == "admin_tags"
            same = tag_set(sent, admin=admin) == tag_set(held, admin=admin)
        else:
            same = _text(sent).strip() == _text(held).strip()
        if not same:
            kept.append(field)
    return tuple(kept)


def not_written(after: Values, before: Values, kept: Sequence[str]) -> FieldNotWritableError:
    """Return the error naming the fields the server kept (``kept``) and who may write them."""
    shown = "; ".join(f"{f} stays {_quoted(before.get(f))}, not {_quoted(after[f])}" for f in kept)
    permissions = tuple(sorted({WRITE_PERMISSIONS[f] for f in kept if f in WRITE_PERMISSIONS}))
    why = (
        f"this session's role lacks {' and '.join(permissions)}"
        if permissions
        else "the server did not take the new value"
    )
    return FieldNotWritableError(
        f"the server kept the old value ({shown}): {why}",
        fields=tuple(kept),
        permissions=permissions,
    )


def _quoted(value: str | None) -> str:
    return f'"{value}"' if value else "(empty)"


def _classifier(by_id: Mapping[str, EditOutcome], kept: dict[str, tuple[str, ...]]) -> Classify:
    def classify(entry_id: str, outcome: Any, _: bool) -> str:
        if is_blocked(outcome):
            return RETRY
        if isinstance(outcome, KalturaError):
            return "failed"
        if isinstance(outcome, BaseEntry):
            kept[entry_id] = kept_fields(by_id[entry_id].after, outcome)
        return "failed" if kept.get(entry_id) else "done"

    return classify


def _missing(entry_id: str) -> EditOutcome:
    error = EntryNotFoundError("ENTRY_ID_NOT_FOUND", f'Entry id "{entry_id}" not found')
    return EditOutcome(entry_id, "failed", error=error)


def _unique(edits: Iterable[EntryEdit]) -> list[EntryEdit]:
    if isinstance(edits, EntryEdit):
        raise ConfigError("update_entries takes a list of EntryEdit, got one EntryEdit")
    seen: dict[str, EntryEdit] = {}
    for edit in edits:
        if edit.entry_id in seen and seen[edit.entry_id] != edit:
            raise ConfigError(f"entry {edit.entry_id} is edited twice, differently: merge the two")
        seen[edit.entry_id] = edit
    return list(seen.values())


def plan_edits(edits: Iterable[EntryEdit]) -> Flow[list[EditOutcome]]:
    """Return what each edit would change (``would_change``, ``already_done`` or ``failed`` for
    an entry that does not exist), reading every entry in one request."""
    wanted = _unique(edits)
    found = yield from get_entries([e.entry_id for e in wanted])
    outcomes = []
    for edit in wanted:
        entry = found.get(edit.entry_id)
        if entry is None:
            outcomes.append(_missing(edit.entry_id))
            continue
        before, after = differences(edit, entry)
        status: Status = "would_change" if after else "already_done"
        outcomes.append(EditOutcome(edit.entry_id, status, before, after))
    return outcomes


def update_entries(
    edits: Iterable[EntryEdit], *, pace: Pace | None = None, dry_run: bool = False
) -> Flow[list[EditOutcome]]:
    """Edit entries' metadata (rules 1 to 4); one ``EditOutcome`` per entry, in order.

    ``dry_run`` reads and compares, and sends nothing (``would_change`` with before and after).
    """
    planned = yield from plan_edits(edits)
    if dry_run:
        return planned
    return (yield from apply_edits(planned, pace=pace))


def apply_edits(
    planned: Sequence[EditOutcome], *, pace: Pace | None = None
) -> Flow[list[EditOutcome]]:
    """Send the ``after`` of the ``would_change`` outcomes of ``planned``; return every outcome
    (the others are final as they are)."""
    by_id = {o.entry_id: o for o in planned}
    changing = [o.entry_id for o in planned if o.status == "would_change"]
    kept: dict[str, tuple[str, ...]] = {}  # what each answer did not take (rule 5)
    op = Operation(lambda i: update_call(i, by_id[i].after), _classifier(by_id, kept))
    results = yield from settle_all(changing, op, pace or Pace())
    for entry_id, result in results.items():
        planned_one, error = by_id[entry_id], result.error
        if error is None and kept.get(entry_id):
            error = not_written(planned_one.after, planned_one.before, kept[entry_id])
        by_id[entry_id] = attrs.evolve(planned_one, status=result.status, error=error)
    return [by_id[o.entry_id] for o in planned]
