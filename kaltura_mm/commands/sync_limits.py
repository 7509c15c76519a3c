"""How much a sync may remove: ``--max-delete N`` or ``N%`` (``sync`` and ``apply``).

A prune (``--prune detach`` or ``--prune delete``) removes from the category every entry the
source does not list. A source that went wrong (an empty folder, an unmounted share, a manifest
cut short) would then empty the category; so by default:

- a source that lists nothing removes nothing (an empty folder is far likelier a mistake than a
  wish to empty the category): pass ``--max-delete`` to mean it;
- at most half of the category's entries are removed (``--max-delete 50%``).

``--max-delete N`` allows N entries, ``--max-delete N%`` N percent of the entries the category
(and those below it) holds now. A plan over the limit is refused before anything is changed,
naming the flag; a plan shown with ``--plan`` is only printed.

With ``--shard K/N`` each run prunes only its own shard's extras, and the limit applies to each
shard run: N entries per run, N% of the entries in that shard's part (whether the source lists
nothing is judged by the whole source).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import click

from kaltura_mm.commands.failures import CliError
from kaltura_mm.sync.model import ADD, DELETE, DETACH, EXTRA, Plan, PlanItem

if TYPE_CHECKING:
    _Base = click.ParamType[Any, Any]
else:
    _Base = click.ParamType

DEFAULT_PERCENT = 50.0


@attrs.frozen
class MaxDelete:
    """A limit on the entries a sync removes: a count, or a percentage of the category."""

    count: int | None = None
    percent: float | None = None

    def allows(self, removed: int, held: int) -> bool:
        """Return whether removing ``removed`` of the ``held`` entries is within the limit."""
        if self.count is not None:
            return removed <= self.count
        return removed * 100 <= (self.percent or 0.0) * held

    def __str__(self) -> str:
        return str(self.count) if self.count is not None else f"{self.percent:g}%"


DEFAULT = MaxDelete(percent=DEFAULT_PERCENT)


class MaxDeleteType(_Base):
    """``N`` (entries) or ``N%`` (of the category's entries)."""

    name = "N|N%"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> MaxDelete:
        """Return the limit ``value`` names, or fail saying the forms."""
        if isinstance(value, MaxDelete):
            return value
        text = str(value).strip()
        try:
            if text.endswith("%"):
                percent = float(text[:-1])
                if not 0 <= percent <= 100:
                    raise ValueError
                return MaxDelete(percent=percent)
            count = int(text)
            if count < 0:
                raise ValueError
            return MaxDelete(count=count)
        except ValueError:
            self.fail(
                f"{text!r} is not a limit: use a count (10) or a percentage (25%)", param, ctx
            )


max_delete_option = click.option(
    "--max-delete",
    type=MaxDeleteType(),
    default=None,
    metavar="N|N%",
    help="Remove (prune) at most N entries, or N% of the category's. Default: half, and "
    "nothing when the source lists no file.",
)


def removes(item: PlanItem) -> bool:
    """Return whether ``item`` takes an entry out of the category (a prune)."""
    return DELETE in item.actions or (EXTRA in item.actions and DETACH in item.actions)


def listed(plan: Plan) -> int:
    """Return how many items of ``plan`` the source lists (its extras aside)."""
    return sum(EXTRA not in i.actions for i in plan.items)


def check_removals(plan: Plan, limit: MaxDelete | None, source_items: int | None = None) -> None:
    """Refuse (exit 2, naming ``--max-delete``) a plan that removes more than ``limit`` allows.

    ``source_items``: how many files the whole source lists, when ``plan`` is one shard's part
    (``--shard``): an empty source is judged by all of it; the limit, by the shard's part.
    """
    removed = sum(removes(i) for i in plan.items)
    if not removed:
        return
    held = len({i.entry_id for i in plan.items if i.entry_id and ADD not in i.actions})
    listed_ = listed(plan) if source_items is None else source_items
    scope = plan.scope.full_name
    verb = "delete" if plan.prune == "delete" else "detach"
    if limit is None and not listed_:
        raise CliError(
            f"the source lists no file, so the plan would {verb} all {removed} entries of "
            f"{scope}: refused (check the source's path; an empty or unmounted folder looks "
            "like this)",
            f"if you mean to empty {scope}, pass --max-delete {removed}",
        )
    limit = limit or DEFAULT
    if not limit.allows(removed, held):
        share = f"{removed * 100 / held:.0f}%" if held else "all"
        raise CliError(
            f"the plan would {verb} {removed} of the {held} entries of {scope} ({share}), "
            f"more than --max-delete {limit} allows; nothing was changed",
            f"check the source; if it is right, pass --max-delete {removed} (or --max-delete 100%)",
        )
