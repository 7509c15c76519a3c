"""One rate budget shared by every kaltura-mm process that turns it on: on a machine (a SQLite file
in the user's state folder), across machines through PostgreSQL (``KALTURA_MM_STORE``).

It is off unless asked for (``KALTURA_MM_SHARED_BUDGET=on``, ``--shared-budget``,
``Client(shared_budget=True)``): it does not learn the server's window yet, and spends a learned
limit over the 10 s Kaltura uses by default, so against a deployment with shorter windows (1 s
is seen) every process would run ten times slower than alone (the reliability suite's
throttled account: 0.33 deletes/s against 3 allowed). Learning the window is the next step.

Kaltura blocks a partner's calls per (service, action) past a limit in fixed windows, counting
every process's calls alike; processes that each learn the limit alone block each other. The
budget keeps every process's charges and what any of them learned, keyed by (server, partner,
service, action), and spends it as a sliding window (``model``) on the database's clock, one
short transaction per claim (liberapay's rate limiter is the model). PyrateLimiter was weighed
and left: its buckets fix their rates when they are made, so a limit one process learns at run
time (and a "blocked until") could not be shared through them.

Its tables live in the store (``kaltura_mm.store``: the store's migrations make them and its
engines run its SQL, ``ledger``). Where (``budget_from_env``):

- ``KALTURA_MM_SHARED_BUDGET=on`` (or ``1``, ``true``, ``yes``): every client of the process
  shares the budget unless its code says otherwise; ``off`` (or unset): none does unless asked.
- ``KALTURA_MM_STORE=postgresql://...``: that PostgreSQL store (every machine that uses it).
- otherwise the SQLite store file ``KALTURA_MM_BUDGET_FILE``, by default ``budget.sqlite3`` in
  the platform's user state folder, one per user whatever ``--state-dir`` a run uses (two cron
  jobs with their own state folders still share it) (``~/.local/state/kaltura-mm`` on Linux,
  ``~/Library/Application Support/kaltura-mm`` on macOS, ``%LOCALAPPDATA%\\kaltura-mm`` on
  Windows).
- ``KALTURA_MM_RATE_WINDOW``: the server's window in seconds, assumed until one is known (10,
  Kaltura's default).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kaltura_mm.budget.gate import Gate, Ticket
from kaltura_mm.budget.ledger import StoreBudget
from kaltura_mm.budget.model import DEFAULT_WINDOW, Key, Limit
from kaltura_mm.budget.protocol import Budget
from kaltura_mm.errors import ConfigError
from kaltura_mm.store import PostgresMissingError, open_store
from kaltura_mm.store.postgres import is_postgres_url

__all__ = [
    "BUDGET_FILE_ENV",
    "RATE_WINDOW_ENV",
    "SHARED_BUDGET_ENV",
    "STORE_ENV",
    "Budget",
    "Gate",
    "Key",
    "Limit",
    "StoreBudget",
    "Ticket",
    "budget_from_env",
    "budget_wanted",
    "default_budget_file",
    "open_budget",
]

SHARED_BUDGET_ENV = "KALTURA_MM_SHARED_BUDGET"
STORE_ENV = "KALTURA_MM_STORE"
BUDGET_FILE_ENV = "KALTURA_MM_BUDGET_FILE"
RATE_WINDOW_ENV = "KALTURA_MM_RATE_WINDOW"
_OFF = {"0", "off", "false", "no"}
_ON = {"1", "on", "true", "yes"}


def budget_wanted(env: Mapping[str, str] | None = None) -> bool:
    """Return whether the environment turns the shared budget on (``KALTURA_MM_SHARED_BUDGET``)."""
    env = os.environ if env is None else env
    return env.get(SHARED_BUDGET_ENV, "").strip().lower() in _ON


def default_budget_file() -> Path:
    """Return the SQLite file every process of this user shares by default."""
    import platformdirs

    return Path(platformdirs.user_state_dir("kaltura-mm")) / "budget.sqlite3"


def open_budget(where: str | Path, window: float = DEFAULT_WINDOW) -> StoreBudget:
    """Open the budget in the store at ``where``: a ``postgresql://`` URL or a SQLite file's path
    (the file itself, whatever its name)."""
    try:
        return StoreBudget(open_store(where, file=True), window)
    except PostgresMissingError as error:  # the user's setting needs an extra: not a failure
        raise ConfigError(str(error)) from error


def budget_from_env(env: Mapping[str, str] | None = None) -> StoreBudget | None:
    """Open the budget where the environment says it lives (module docstring); None when the
    environment turns it off explicitly (``KALTURA_MM_SHARED_BUDGET=off``)."""
    env = os.environ if env is None else env
    if env.get(SHARED_BUDGET_ENV, "").strip().lower() in _OFF:
        return None
    text = env.get(RATE_WINDOW_ENV, "").strip()
    try:
        window = float(text) if text else DEFAULT_WINDOW
    except ValueError:
        window = -1.0
    if not window > 0:
        raise ConfigError(f"{RATE_WINDOW_ENV} must be a positive number of seconds, got {text!r}")
    store = env.get(STORE_ENV, "")
    if is_postgres_url(store):
        return open_budget(store, window)
    return open_budget(env.get(BUDGET_FILE_ENV) or default_budget_file(), window)
