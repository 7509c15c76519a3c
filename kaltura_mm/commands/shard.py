"""``--shard K/N``: this run takes one part of a job, the other N - 1 runs the rest.

Users run the same command on N machines (or N cron jobs), each with its own K, and together they
do the whole job exactly once with no shared store: ``kaltura_mm.shard`` puts each item in one
shard by a stable hash of what the job identifies it by:

- ``upload``: the file's referenceId, its identity (whole content, size, name, categories,
  owner; or the ``reference_id`` given). Two copies of one file go to the same shard, so the
  upload engine's own identity check sees both. A shard reads every file once to learn it, but
  a file its journal has as uploaded and untouched since (a cron re-run) by the referenceId kept
  there; a file it cannot read goes by its path, so exactly one shard reports it;
- ``sync`` and ``apply``: an item's sync key (the referenceId the sync knows it by); an entry
  the source does not list (an extra, pruned or kept), its entry id. So each shard prunes only
  its own extras, and ``--max-delete`` applies to each shard run's removals and entries;
- ``detach``, ``delete``, ``move``, ``add``, ``update``: the entry id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from kaltura_mm.commands.failures import CliError
from kaltura_mm.errors import KalturaError
from kaltura_mm.shard import Shard
from kaltura_mm.store.files import FileJournal, categories_key
from kaltura_mm.upload import local_file
from kaltura_mm.upload.request import UploadRequest, reference_id_for

T = TypeVar("T")

if TYPE_CHECKING:
    from kaltura_mm.commands.context import AppContext
    from kaltura_mm.sync.model import Plan, PlanItem  # annotations only: upload needs no sync

    _Base = click.ParamType[Any, Any]
else:
    _Base = click.ParamType


class ShardType(_Base):
    """``K/N``: the K-th of N parts, 1 <= K <= N."""

    name = "K/N"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shard:
        """Return the shard ``value`` names, or fail saying the form."""
        if isinstance(value, Shard):
            return value
        try:
            return Shard.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


shard_option = click.option(
    "--shard",
    type=ShardType(),
    default=None,
    metavar="K/N",
    help="Take only part K of N of the items (the same command on N machines, K = 1..N, "
    "does the whole job once).",
)


def announce(state: AppContext, shard: Shard, taken: int, total: int) -> None:
    """Say which part this run took: ``shard 2/3: 41 of 120 items`` (a JSON notice under --json)."""
    state.notice(
        "shard",
        f"shard {shard}: {taken} of {total} items",
        shard=str(shard),
        items=taken,
        total=total,
    )


def pick(
    state: AppContext, shard: Shard | None, items: Sequence[T], key: Callable[[T], str]
) -> list[T]:
    """Return the ``items`` of this shard by ``key`` (all of them without ``--shard``), said."""
    if shard is None:
        return list(items)
    picked = shard.pick(items, key)
    announce(state, shard, len(picked), len(items))
    return picked


def _upload_key(journal: FileJournal) -> Callable[[UploadRequest], str]:
    def key(request: UploadRequest) -> str:
        try:
            print_ = local_file.fingerprint(request.path)
            done = journal.get(str(request.path), categories_key(request.category_ids))
            if done and done.reference_id and done.unchanged_since(print_.size, print_.mtime_ns):
                return done.reference_id  # uploaded from here, untouched since: not read again
            return reference_id_for(request, local_file.content_fingerprint(request.path))
        except KalturaError:  # unreadable now: one shard (by its path) tries it and says why
            return f"path:{request.path}"

    return key


def pick_uploads(
    state: AppContext,
    shard: Shard | None,
    requests: Sequence[UploadRequest],
    journal: FileJournal,
) -> list[UploadRequest]:
    """Return the uploads of this shard, by each file's identity: its referenceId, as the
    journal has it for a file done and untouched, else read (once, then remembered)."""
    return pick(state, shard, requests, _upload_key(journal))


def plan_key(item: PlanItem) -> str:
    """Return what shards a sync plan's item: its sync key, or an extra's entry id."""
    if item.relative is None:  # an entry the source does not list (extra or held): its id, the
        return item.entry_id or ""  # key ``delete --shard`` would give it too
    if item.reference_id is None:
        raise CliError(
            "--shard needs the sync's category to exist (an item's shard is its sync key, "
            "made from the category's id)",
            "create it first: run this sync once without --shard, or `kaltura-mm categories "
            "create`",
        )
    return item.reference_id


def pick_plan(state: AppContext, shard: Shard | None, plan: Plan) -> Plan:
    """Return ``plan`` cut to this shard's items and the categories they need made, said."""
    if shard is None:
        return plan
    items = shard.pick(plan.items, plan_key)
    needed = {p.full_name for i in items for p in i.attach if p.id is None}
    create = tuple(name for name in plan.create if name in needed)
    announce(state, shard, len(items), len(plan.items))
    return attrs.evolve(plan, items=tuple(items), create=create)
