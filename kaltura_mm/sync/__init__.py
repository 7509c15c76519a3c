"""Keep a Kaltura category in step with a folder or a manifest: plan, show, apply.

1. ``source``: what the sync wants (``read_source``: a folder, a CSV or JSON-lines manifest), each
   item known by its referenceId (given, or derived from the category and the file's path).
2. ``server``: what the server holds for the category and below, read in a few requests, exact
   where the search index may lag (``read_server``).
3. ``plan``: the comparison, pure: per entry ``add``, ``update``, ``replace``, ``attach``,
   ``detach``, ``keep``, and ``extra`` for entries the source does not list (``build_plan``;
   ``item_plan`` decides one item's entry); ``model`` is the plan as data, ``planfile`` the plan
   as JSON.
4. ``check`` and ``apply``: a saved plan is checked against the server (``PlanScopeError`` when
   it acts outside its category, ``fence``; ``StalePlanError`` when it changed underneath),
   then applied phase by phase with the library's own engines (``ledger`` tracks each item;
   ``records`` what content each entry holds).

``flows`` ties them: ``plan_sync`` and ``apply_sync`` (``client.sync.plan`` / ``.apply``).
"""

from kaltura_mm.sync.apply import Resume, apply_plan
from kaltura_mm.sync.check import StalePlanError, check_plan
from kaltura_mm.sync.fence import PlanScopeError
from kaltura_mm.sync.flows import apply_sync, plan_sync
from kaltura_mm.sync.ledger import ApplyHooks, ItemOutcome
from kaltura_mm.sync.model import Place, Plan, PlanItem
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.sync.source import Source, SyncItem, derived_key, read_source

__all__ = [
    "ApplyHooks",
    "ItemOutcome",
    "Place",
    "Plan",
    "PlanItem",
    "PlanScopeError",
    "Resume",
    "Source",
    "StalePlanError",
    "SyncItem",
    "SyncRecord",
    "apply_plan",
    "apply_sync",
    "check_plan",
    "derived_key",
    "plan_sync",
    "read_source",
]
