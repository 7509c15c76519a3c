"""``kaltura-mm categories``: list them (no subcommand), or ``create``, ``rename``, ``move``,
``delete``.

``create`` makes every missing level of each path and is idempotent: a path that exists is
``exists``; the ids of the categories it made are kept in the state database, so a re-run within
the search index's lag finds them exactly instead of meeting ``DUPLICATE_CATEGORY``. ``delete``
refuses a category holding entries or sub-categories unless ``--force``, and says what becomes
of them (sub-categories are deleted with it; entries move to the parent, never deleted); it asks
before deleting unless ``--yes``.
"""

from __future__ import annotations

from typing import Any

import click

from kaltura_mm.commands.browse import FORMAT, show_categories
from kaltura_mm.commands.category_refs import resolve
from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.store_option import open_state
from kaltura_mm.flows.category_admin import create_categories
from kaltura_mm.flows.category_changes import (
    CategoryDeletion,
    delete_category,
    move_category,
    rename_category,
)
from kaltura_mm.models import Category
from kaltura_mm.store import state_dir
from kaltura_mm.store.sync_state import KnownCategories

KEYS = ("id", "full_name", "status", "message")


def _known(state: AppContext) -> KnownCategories:
    return KnownCategories(open_state(state_dir(None, state.env), state.env), state.target())


def _id(state: AppContext, ref: str) -> int:
    """Return the id of the category ``ref`` names (made ones found while the index lags)."""
    return resolve(state, ref).id


def _record(category: Category, status: str, message: str | None = None) -> dict[str, Any]:
    return {
        "id": category.id,
        "full_name": category.full_name,
        "status": status,
        "message": message,
    }


@click.group("categories", invoke_without_command=True)
@click.option("--root", metavar="ID|PATH", help="Only this category and its descendants.")
@click.option("--tree", "as_tree", is_flag=True, help="Draw the tree (table format only).")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@common_options
@click.pass_context
def categories_group(ctx: click.Context, root: str | None, as_tree: bool, fmt: str) -> int:
    """List categories with their entry counts (or draw the tree); create, rename, move,
    delete them."""
    if ctx.invoked_subcommand is not None:
        return ExitCode.OK
    return show_categories(app(ctx), root, as_tree, fmt)


def _format_option(command: Any) -> Any:
    return click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)(command)


@categories_group.command("create")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_format_option
@common_options
@click.pass_context
def create_command(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> int:
    """Make sure each category path ('A>B>C') exists, creating every missing level."""
    state = app(ctx)
    known = _known(state)
    made = state.client().run(create_categories(paths, known=known.all()))
    writer = state.writer(KEYS, Format(fmt))
    for outcome in made.values():
        for level in outcome.created:
            known.save(level.full_name, level.id)
        known.save(outcome.category.full_name, outcome.category.id)
        levels = ", ".join(c.full_name for c in outcome.created)
        note = f"created {levels}" if outcome.created else None
        writer.write(_record(outcome.category, "exists" if outcome.existed else "created", note))
    writer.close()
    return ExitCode.OK


@categories_group.command("rename")
@click.argument("category", metavar="ID|PATH")
@click.argument("new_name", metavar="NEW_NAME")
@_format_option
@common_options
@click.pass_context
def rename_command(ctx: click.Context, category: str, new_name: str, fmt: str) -> int:
    """Rename a category (its sub-categories' paths follow, on the server, shortly after)."""
    state = app(ctx)
    done = state.client().run(rename_category(_id(state, category), new_name))
    writer = state.writer(KEYS, Format(fmt))
    writer.write(_record(done, "renamed"))
    writer.close()
    return ExitCode.OK


@categories_group.command("move")
@click.argument("category", metavar="ID|PATH")
@click.option("--to", "parent", metavar="ID|PATH", help="The new parent category.")
@click.option("--top", is_flag=True, help="Move it to the top level (no parent).")
@_format_option
@common_options
@click.pass_context
def move_command(ctx: click.Context, category: str, parent: str | None, top: bool, fmt: str) -> int:
    """Move a category under a new parent (--to), or to the top level (--top)."""
    if (parent is None) == (not top):
        raise CliError("say where to: --to ID|PATH, or --top", "give exactly one of them")
    state = app(ctx)
    target = None if top else _id(state, parent or "")
    done = state.client().run(move_category(_id(state, category), target))
    writer = state.writer(KEYS, Format(fmt))
    writer.write(_record(done, "moved"))
    writer.close()
    return ExitCode.OK


@categories_group.command("delete")
@click.argument("category", metavar="ID|PATH")
@click.option("--force", is_flag=True, help="Delete it even if it holds entries or categories.")
@click.option("--dry-run", is_flag=True, help="Say what deleting would do; change nothing.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@_format_option
@common_options
@click.pass_context
def delete_command(
    ctx: click.Context, category: str, force: bool, dry_run: bool, yes: bool, fmt: str
) -> int:
    """Delete a category and its sub-categories; their entries move to its parent."""
    state = app(ctx)
    client = state.client()
    fate = client.run(delete_category(_id(state, category), dry_run=True))
    writer = state.writer(KEYS, Format(fmt))
    if dry_run:
        writer.write(_record(fate.category, "would_delete", fate.describe()))
        writer.close()
        return ExitCode.OK
    if not fate.empty and not force:
        raise CliError(
            f"category {fate.describe()}",
            "pass --force to delete it anyway (try --dry-run first)",
        )
    if not yes and not _confirmed(fate):
        state.say("nothing was changed")
        return ExitCode.FAILED
    gone = client.run(delete_category(fate.category.id, force=True))
    writer.write(_record(gone.category, "deleted", gone.describe(done=True)))
    writer.close()
    return ExitCode.OK


def _confirmed(fate: CategoryDeletion) -> bool:
    click.echo(f"About to delete category {fate.describe()}.", err=True)
    try:
        return click.confirm(f"Delete {fate.category.full_name}?", err=True)
    except click.Abort:
        return False
