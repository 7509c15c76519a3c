"""Where the command line keeps its state: ``--store URL`` (or ``KALTURA_MM_STORE``).

By default the store is the SQLite file ``state.db`` in the state folder (``--state-dir``), as
it always was; ``--store postgresql://...`` keeps it in a PostgreSQL database instead
(docs/store.md). The run lock and the local sandbox stay in the state folder either way.

``--store`` is kept in the click context's ``meta`` (shared by a command and its group), so every
place that opens the state (``open_state``) sees it without each function passing it on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from kaltura_mm.store import DB_FILE, STORE_ENV, Store, open_store, store_location

F = TypeVar("F", bound=Callable[..., Any])

_META = "kaltura_mm.store"
STORE_HELP = (
    "Keep the state in this store: a postgresql:// URL (needs kaltura-mm[postgres]) or a "
    f"SQLite .db file [env: {STORE_ENV}; default: state.db in the state directory]."
)


def _remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta[_META] = value


def store_option(command: F) -> F:
    """Add ``--store URL`` to ``command`` (kept for ``open_state``; not passed as an argument)."""
    option = click.option(
        "--store",
        metavar="URL",
        default=None,
        expose_value=False,
        callback=_remember,
        help=STORE_HELP,
    )
    return option(command)


def chosen_store() -> str | None:
    """Return the command's ``--store`` (None: not given)."""
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(_META)


def location(root: Path, env: Mapping[str, str]) -> str | Path:
    """Return where the state is: ``--store``, ``$KALTURA_MM_STORE``, else ``root``'s state.db."""
    return store_location(chosen_store(), root, env)


def has_state(root: Path, env: Mapping[str, str]) -> bool:
    """Return whether there may be state to read (a missing default SQLite file: none)."""
    where = location(root, env)
    return not isinstance(where, Path) or (where / DB_FILE).exists()


def open_state(root: Path, env: Mapping[str, str]) -> Store:
    """Open the command line's store (see ``location``)."""
    return open_store(location(root, env))
