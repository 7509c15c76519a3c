"""``kaltura-mm list``, ``get`` and ``categories``: read entries and the category tree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click
from rich.console import Console
from rich.tree import Tree

from kaltura_mm.commands.category_refs import resolve
from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.output import (
    CATEGORY_KEYS,
    ENTRY_KEYS,
    ENTRY_TABLE,
    Format,
    category_record,
    entry_record,
)
from kaltura_mm.commands.params import EnumName, OrderChoice, Timestamp, category_ref
from kaltura_mm.commands.problems import report_item_failure
from kaltura_mm.commands.shell import command_line
from kaltura_mm.enums import ReplacementStatus
from kaltura_mm.flows.categories import CategoryNode, category_tree
from kaltura_mm.flows.entries import get_entries
from kaltura_mm.flows.flavors import source_assets
from kaltura_mm.flows.listing import ANY_STATUS, EntryQuery, list_entries, list_page, live_rows
from kaltura_mm.models import (
    BaseEntry,
    Category,
    EntryStatus,
    EntryType,
    FlavorAsset,
    MediaType,
)

FORMAT = click.Choice([f.value for f in Format])


def query_options(command: Any) -> Any:
    """Add the entry filter options of ``list`` and of ``detach``/``delete --where``."""
    options = (
        click.option("--category", "-c", metavar="ID|PATH", help="Category id or full path."),
        click.option("--subcategories", is_flag=True, help="Include entries of sub-categories."),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            type=EnumName(EntryStatus, exclude=("DELETED",)),
            help="Entry status (repeat for several; default ready). See also --any-status.",
        ),
        click.option("--any-status", is_flag=True, help="Include entries not ready yet."),
        click.option("--media-type", "media_types", multiple=True, type=EnumName(MediaType)),
        click.option("--type", "entry_types", multiple=True, type=EnumName(EntryType)),
        click.option("--search", "free_text", metavar="TEXT", help="Free-text search."),
        click.option("--created-after", type=Timestamp(), help="Created at or after this time."),
        click.option("--created-before", type=Timestamp(), help="Created at or before this time."),
        click.option("--reference-id", help="Entries with this referenceId."),
        click.option("--owner", "owner_user_id", metavar="USER", help="Entries of this user."),
    )
    for option in reversed(options):
        command = option(command)
    return command


def build_query(
    state: AppContext, options: dict[str, Any], order: str = "+createdAt"
) -> EntryQuery:
    """Return the ``EntryQuery`` the filter options ask for (resolving a category path)."""
    category_id = None
    if options.get("category"):
        category = resolve(state, options["category"])
        category_id = category.id
    statuses: tuple[EntryStatus, ...] | None = tuple(options.get("statuses") or ()) or None
    if options.get("any_status"):
        statuses = ANY_STATUS
    return EntryQuery(
        category_id=category_id,
        include_subcategories=bool(options.get("subcategories")),
        media_types=tuple(options.get("media_types") or ()),
        entry_types=tuple(options.get("entry_types") or ()),
        statuses=statuses,
        free_text=options.get("free_text"),
        created_from=options.get("created_after"),
        created_to=options.get("created_before"),
        reference_id=options.get("reference_id"),
        owner_user_id=options.get("owner_user_id"),
        order=order,
    )


@click.command("list")
@query_options
@click.option("--all", "everything", is_flag=True, help="Every match, past the 10,000 cap.")
@click.option(
    "--limit",
    type=click.IntRange(1, 500),
    default=30,
    show_default=True,
    help="Entries per page (without --all).",
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--order",
    type=OrderChoice(),
    default="-createdAt",
    show_default=True,
    help="Sort order (without --all; --all walks by creation time).",
)
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@common_options
@click.pass_context
def list_command(
    ctx: click.Context,
    /,
    everything: bool,
    limit: int,
    page: int,
    order: str,
    fmt: str,
    **filters: Any,
) -> int:
    """List entries of a category (or all), filtered; a table, JSON lines or CSV."""
    state = app(ctx)
    query = build_query(state, filters, "+createdAt" if everything else order)
    writer = state.writer(ENTRY_KEYS, Format(fmt), table_keys=ENTRY_TABLE)
    client = state.client()
    if everything:
        for entry in client.iterate(list_entries(query)):
            writer.write(entry_record(entry))
        writer.close()
        state.say(f"{writer.count} entries")
        return ExitCode.OK
    result = client.call(list_page(query, page_index=page, page_size=limit))
    for entry in live_rows(result, query):  # not entries deleted since the index took them
        writer.write(entry_record(entry))
    writer.close()
    _page_notice(state, page, limit, len(result.objects), result.total_count)
    return ExitCode.OK


def _page_notice(state: AppContext, page: int, limit: int, shown: int, total: int) -> None:
    """Say how much of the match this page is; when more exist, loudly, in every format."""
    if (page - 1) * limit + shown >= total:
        state.say(f"{shown} of {total} entries, page {page}")
        return
    pages = -(-total // limit)
    following = command_line([*_without_page(state.command()), "--page", str(page + 1)])
    state.notice(
        "more",
        f"{shown} of {total} entries shown (page {page} of {pages}); next page: {following}; "
        "every one: add --all",
        shown=shown,
        total=total,
        page=page,
        pages=pages,
    )


def _without_page(argv: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--page":
            skip = True
        elif not arg.startswith("--page="):
            kept.append(arg)
    return kept


@click.command("get")
@click.argument("entry_ids", nargs=-1, required=True, metavar="ENTRY_ID...")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@common_options
@click.pass_context
def get_command(ctx: click.Context, entry_ids: tuple[str, ...], fmt: str) -> int:
    """Show entries by id (deleted or unknown ids are reported as not found)."""
    state = app(ctx)
    writer = state.writer(GET_KEYS, Format(fmt), table_keys=GET_TABLE)
    client = state.client()
    found = client.run(get_entries(entry_ids))
    sources = client.run(source_assets(found)) if found else {}
    failures = []
    for entry_id in dict.fromkeys(entry_ids):
        entry = found.get(entry_id)
        if entry is None:
            failures.append(ExitCode.NOT_FOUND)
            report_item_failure(state, entry_id, "not_found", "no such entry (or it was deleted)")
            continue
        writer.write(get_record(entry, sources.get(entry_id)))
    writer.close()
    return for_items(len(found), failures)


GET_KEYS = (
    *ENTRY_KEYS,
    "version",
    "size",
    "source_version",
    "replacement_status",
    "replacing_entry_id",
    "download_url",
)
GET_TABLE = ("id", "name", "status", "version", "size", "replacement_status", "download_url")


def get_record(entry: BaseEntry, source: FlavorAsset | None = None) -> dict[str, Any]:
    """Return what ``get`` shows of an entry: its record, the content's version, the size in
    bytes of the file it holds and that file's version (its source flavor asset's, which a
    video's replacement moves; None for an image or an entry without content), whether a
    replacement is under way (by name: ``NONE``, ``READY_BUT_NOT_APPROVED``, ...; the entry
    holding the new content while it converts), and where its original can be downloaded."""
    status = entry.replacement_status
    return {
        **entry_record(entry),
        "version": entry.version,
        "size": source.size_in_bytes if source is not None else None,
        "source_version": source.version if source is not None else None,
        "replacement_status": None if status is None else ReplacementStatus(status).name,
        "replacing_entry_id": entry.replacing_entry_id or None,
        "download_url": entry.download_url or None,
    }


def show_categories(state: AppContext, root: str | None, as_tree: bool, fmt: str) -> int:
    """List categories with their entry counts, or draw them as a tree (``kaltura-mm
    categories``; the group and its commands that change categories are in
    ``categories_admin``)."""
    nodes = state.client().run(category_tree(category_ref(root) if root else None))
    flat = [node for top in nodes for node in top.walk()]
    if as_tree and not state.json and Format(fmt) is Format.TABLE:
        Console(file=state.stdout).print(_tree(nodes))
        return ExitCode.OK
    writer = state.writer(CATEGORY_KEYS, Format(fmt))
    for node in flat:
        writer.write(category_record(node.category))
    writer.close()
    return ExitCode.OK


def _label(category: Category) -> str:
    return (
        f"{category.name} [dim](id {category.id}, {category.direct_entries_count or 0} direct, "
        f"{category.entries_count or 0} in all)[/dim]"
    )


def _tree(nodes: Iterable[CategoryNode]) -> Tree:
    root = Tree("[bold]categories[/bold]")

    def add(parent: Tree, node: CategoryNode) -> None:
        branch = parent.add(_label(node.category))
        for child in node.children:
            add(branch, child)

    for node in nodes:
        add(root, node)
    return root
