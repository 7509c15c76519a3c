"""Where the shared rate budget lives and whether it is on, read from the environment.

Light on purpose: a client asks ``budget_wanted`` on every construction, and the budget's tables
(``ledger``, the store) load only with the first request (``Gate`` opens the budget then), so
``import kaltura_mm`` plus ``Client()`` stays a quarter of the official client's
(benchmarks/bench_import.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kaltura_mm.errors import ConfigError

if TYPE_CHECKING:
    from kaltura_mm.budget.ledger import StoreBudget

SHARED_BUDGET_ENV = "KALTURA_MM_SHARED_BUDGET"
STORE_ENV = "KALTURA_MM_STORE"
BUDGET_FILE_ENV = "KALTURA_MM_BUDGET_FILE"
RATE_WINDOW_ENV = "KALTURA_MM_RATE_WINDOW"
_OFF = {"0", "off", "false", "no"}
_ON = {"1", "on", "true", "yes"}


def budget_wanted(env: Mapping[str, str] | None = None) -> bool:
    """Return whether the shared budget is on: unless ``KALTURA_MM_SHARED_BUDGET`` turns it off
    (``off``, ``0``, ``false``, ``no``); any other value but the ``on`` ones is an error."""
    env = os.environ if env is None else env
    text = env.get(SHARED_BUDGET_ENV, "").strip().lower()
    if text and text not in _ON | _OFF:
        raise ConfigError(
            f"{SHARED_BUDGET_ENV} must be on or off, got {env.get(SHARED_BUDGET_ENV)!r}"
        )
    return text not in _OFF


def default_budget_file() -> Path:
    """Return the SQLite file every process of this user shares by default."""
    import platformdirs

    return Path(platformdirs.user_state_dir("kaltura-mm")) / "budget.sqlite3"


def open_budget(where: str | Path, window: float | None = None) -> StoreBudget:
    """Open the budget in the store at ``where``: a ``postgresql://`` URL or a SQLite file's path
    (the file itself, whatever its name); ``window``: the server's window if known (None:
    learned)."""
    from kaltura_mm.budget.ledger import StoreBudget
    from kaltura_mm.store import PostgresMissingError, open_store

    try:
        return StoreBudget(open_store(where, file=True), window)
    except PostgresMissingError as error:  # the user's setting needs an extra: not a failure
        raise ConfigError(str(error)) from error


def budget_from_env(
    env: Mapping[str, str] | None = None, *, asked: bool = False
) -> StoreBudget | None:
    """Open the budget where the environment says it lives (module docstring); None when the
    environment turns it off (``KALTURA_MM_SHARED_BUDGET=off``) and the caller did not ask for
    it (``asked``: ``--shared-budget``, ``Client(shared_budget=True)``)."""
    env = os.environ if env is None else env
    if not budget_wanted(env) and not asked:
        return None
    text = env.get(RATE_WINDOW_ENV, "").strip()
    try:
        window = float(text) if text else None
    except ValueError:
        window = -1.0
    if window is not None and not window > 0:
        raise ConfigError(f"{RATE_WINDOW_ENV} must be a positive number of seconds, got {text!r}")
    from kaltura_mm.store.postgres import is_postgres_url

    store = env.get(STORE_ENV, "")
    if is_postgres_url(store):
        return open_budget(store, window)
    return open_budget(env.get(BUDGET_FILE_ENV) or default_budget_file(), window)
