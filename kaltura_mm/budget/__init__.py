"""One rate budget shared by every kaltura-mm process that turns it on: on a machine (a SQLite file
in the user's state folder), across machines through PostgreSQL (``KALTURA_MM_STORE``).

It is on unless turned off (``KALTURA_MM_SHARED_BUDGET=off``, ``--no-shared-budget``,
``Client(shared_budget=False)``). It learns the server's window as well as the limit before it
paces anything (``model``): spending a limit over a wrong window is ten times too slow (1-s
windows are seen) or blocked all the time.

Kaltura blocks a partner's calls per (service, action) past a limit in fixed windows, counting
every process's calls alike; processes that each learn the limit alone block each other. The
budget keeps every process's charges and what any of them learned, keyed by (server, partner,
service, action), and spends it as a sliding window (``model``) on the database's clock, one
short transaction per claim (liberapay's rate limiter is the model). PyrateLimiter was weighed
and left: its buckets fix their rates when they are made, so a limit one process learns at run
time (and a "blocked until") could not be shared through them.

Its tables live in the store (``kaltura_mm.store``: the store's migrations make them and its
engines run its SQL, ``ledger``). Where (``budget_from_env``):

- ``KALTURA_MM_SHARED_BUDGET=off`` (or ``0``, ``false``, ``no``): no client of the process
  shares the budget unless its code asks; ``on`` (``1``, ``true``, ``yes``) or unset: every
  client does unless its code says otherwise; any other value is refused.
- ``KALTURA_MM_STORE=postgresql://...``: that PostgreSQL store (every machine that uses it).
- otherwise the SQLite store file ``KALTURA_MM_BUDGET_FILE``, by default ``budget.sqlite3`` in
  the platform's user state folder, one per user whatever ``--state-dir`` a run uses (two cron
  jobs with their own state folders still share it) (``~/.local/state/kaltura-mm`` on Linux,
  ``~/Library/Application Support/kaltura-mm`` on macOS, ``%LOCALAPPDATA%\\kaltura-mm`` on
  Windows).
- ``KALTURA_MM_RATE_WINDOW``: the server's window in seconds, for a deployment that publishes
  it (unset: learned).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaltura_mm import lazy_import as _lazy_import

# Loaded on first use: a client that leaves the budget off never loads its tables or the store.
_EXPORTS = {
    "BUDGET_FILE_ENV": "kaltura_mm.budget.where",
    "RATE_WINDOW_ENV": "kaltura_mm.budget.where",
    "SHARED_BUDGET_ENV": "kaltura_mm.budget.where",
    "STORE_ENV": "kaltura_mm.budget.where",
    "Budget": "kaltura_mm.budget.protocol",
    "Gate": "kaltura_mm.budget.gate",
    "Key": "kaltura_mm.budget.model",
    "Limit": "kaltura_mm.budget.model",
    "StoreBudget": "kaltura_mm.budget.ledger",
    "Ticket": "kaltura_mm.budget.gate",
    "budget_from_env": "kaltura_mm.budget.where",
    "budget_wanted": "kaltura_mm.budget.where",
    "default_budget_file": "kaltura_mm.budget.where",
    "open_budget": "kaltura_mm.budget.where",
}

if TYPE_CHECKING:
    from kaltura_mm.budget.gate import Gate as Gate
    from kaltura_mm.budget.gate import Ticket as Ticket
    from kaltura_mm.budget.ledger import StoreBudget as StoreBudget
    from kaltura_mm.budget.model import Key as Key
    from kaltura_mm.budget.model import Limit as Limit
    from kaltura_mm.budget.protocol import Budget as Budget
    from kaltura_mm.budget.where import BUDGET_FILE_ENV as BUDGET_FILE_ENV
    from kaltura_mm.budget.where import RATE_WINDOW_ENV as RATE_WINDOW_ENV
    from kaltura_mm.budget.where import SHARED_BUDGET_ENV as SHARED_BUDGET_ENV
    from kaltura_mm.budget.where import STORE_ENV as STORE_ENV
    from kaltura_mm.budget.where import budget_from_env as budget_from_env
    from kaltura_mm.budget.where import budget_wanted as budget_wanted
    from kaltura_mm.budget.where import default_budget_file as default_budget_file
    from kaltura_mm.budget.where import open_budget as open_budget
else:
    __all__, __getattr__, __dir__ = _lazy_import.exports(__name__, _EXPORTS)
