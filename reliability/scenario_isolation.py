"""Isolation: a KS of partner A cannot see or touch partner B's entries, categories or tokens;
a USER KS cannot delete (or change) another user's entry. Judged by the server's state after."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kaltura_mm import Client, RetryPolicy
from kaltura_mm.flows.entries import delete_entries, detach_entries
from kaltura_mm.flows.listing import EntryQuery, list_entries
from kaltura_mm.models import BaseEntryFilter, MediaEntryParams, Pager
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, category, category_entry, upload_token
from reliability import inventory
from reliability.cli_process import cli_env, run_cli
from reliability.harness import Context, Verdict

NAME = "isolation"
TITLE = "Isolation"


def _refused(action: Callable[[], object]) -> tuple[bool, str]:
    """Return (refused, what happened) for an action that must not succeed."""
    try:
        result = action()
    except Exception as exc:
        return True, f"{type(exc).__name__}: {str(exc)[:120]}"
    items = result if isinstance(result, list) else []
    failed = [o for o in items if not o.ok]
    if failed and len(failed) == len(items):  # batch flows report per entry
        return True, f"every item failed: {failed[0].error}"
    return False, f"it succeeded: {str(result)[:120]}"


def run(ctx: Context) -> Verdict:
    """Try every cross-partner and cross-user action; check each was refused and changed nothing."""
    verdict = Verdict(NAME, TITLE)
    fast = RetryPolicy(attempts=2, initial_backoff=0.05)
    with Sandbox(transcode_delay=0.05) as sb:
        b = sb.add_partner()
        b_category = sb.create_category("B>Private", partner_id=b.partner_id)
        b_entries = sb.seed_entries(b_category, 5, partner_id=b.partner_id, name_prefix="b-secret")
        b_client = Client(service_url=sb.service_url, ks=sb.ks(partner_id=b.partner_id), retry=fast)
        b_token = b_client.call(upload_token.add("b.mp4", 10)).id or ""
        a_category = sb.create_category("A>Mine")
        a = Client(service_url=sb.service_url, ks=sb.ks(), retry=fast)
        victim = b_entries[0]
        attempts: dict[str, Callable[[], object]] = {
            "A lists B's category": lambda: _expect_empty(
                list(a.iterate(list_entries(EntryQuery(category_id=b_category))))
            ),
            "A lists by B's entry ids": lambda: _expect_empty(
                a.call(
                    base_entry.list(BaseEntryFilter(id_in=tuple(b_entries)), Pager(page_size=50))
                ).objects
            ),
            "A gets B's entry": lambda: a.call(base_entry.get(victim)),
            "A updates B's entry": lambda: a.call(
                base_entry.update(victim, MediaEntryParams(name="hijacked"))
            ),
            "A deletes B's entry": lambda: a.run(delete_entries([victim])),
            "A links B's entry to A's category": lambda: a.call(
                category_entry.add(victim, a_category)
            ),
            "A detaches B's entry from B's category": lambda: a.run(
                detach_entries([victim], b_category)
            ),
            "A reads B's category": lambda: a.call(category.get(b_category)),
            "A reads B's upload token": lambda: a.call(upload_token.get(b_token)),
            "A deletes B's upload token": lambda: a.call(upload_token.delete(b_token)),
        }
        alice_entry = sb.seed_entries(a_category, 1, name_prefix="alice")[0]
        sb.core.store.execute("UPDATE entries SET user_id = 'alice' WHERE id = ?", (alice_entry,))
        bob = Client(service_url=sb.service_url, ks=sb.ks(user_id="bob", admin=False), retry=fast)
        attempts["USER KS bob deletes alice's entry"] = lambda: bob.run(
            delete_entries([alice_entry])
        )
        attempts["USER KS bob renames alice's entry"] = lambda: bob.call(
            base_entry.update(alice_entry, MediaEntryParams(name="bob was here"))
        )
        before = _state(sb, b.partner_id)
        for label, action in attempts.items():
            refused, detail = _refused(action)
            verdict.check(f"refused: {label}", refused, detail)
        env = cli_env(ctx.scratch(NAME), sb.service_url, ks=sb.ks(user_id="bob", admin=False))
        cli = run_cli(["--json", "delete", alice_entry, "--yes"], env)
        verdict.check(
            "refused: CLI delete of alice's entry with bob's USER KS", cli.code == 4, cli.describe()
        )
        after = _state(sb, b.partner_id)
        for client in (a, bob, b_client):
            client.close()
    verdict.check(
        "nothing changed on the server",
        before == after,
        "" if before == after else f"before {before} after {after}",
    )
    verdict.tried = (
        f"{len(attempts) + 1} cross-partner and cross-user actions (list, get, update, delete, "
        "link, detach, category and token access; a USER KS deleting and renaming another user's "
        "entry, by the library and the CLI)"
    )
    held = sum(c.passed for c in verdict.checks if c.name.startswith("refused"))
    verdict.survived = (
        f"{held}/{len(attempts) + 1} refused; partner B's entries, links, names and token "
        f"{'unchanged' if before == after else 'CHANGED'}"
    )
    verdict.figures = {"attempts": len(attempts) + 1, "refused": held}
    return verdict


def _expect_empty(items: Sequence[object]) -> object:
    if items:
        raise AssertionError(f"saw {len(items)} of B's entries")
    raise LookupError("nothing visible")  # an empty answer is this attempt's refusal


def _state(sb: Sandbox, other: int) -> tuple[object, ...]:
    rows = [*inventory.live_entries(sb), *inventory.live_entries(sb, other)]
    links = sb.core.store.all("SELECT entry_id, category_id, status FROM category_entries")
    tokens = sb.core.store.all("SELECT id, status FROM upload_tokens")
    return (
        sorted((r["id"], r["name"], r["status"], r["user_id"]) for r in rows),
        sorted(tuple(r) for r in links),
        sorted(tuple(r) for r in tokens),
    )
