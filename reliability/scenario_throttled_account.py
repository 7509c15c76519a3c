"""Throttled account: the sandbox allows 3 ``baseEntry.delete`` per second (what Kaltura users
report); ``kaltura-mm delete`` of many entries must delete every one, and none twice.

"None re-deleted" is judged by the server: every delete the sandbox ran is counted by outcome,
so a delete that ran after the entry was already gone shows up as ``ENTRY_ID_NOT_FOUND``.
"""

from __future__ import annotations

from kaltura_mm.sandbox import Sandbox
from reliability import inventory
from reliability.cli_process import cli_env, run_cli
from reliability.harness import Context, Stopwatch, Verdict
from reliability.meter import CallMeter

NAME = "throttled_account"
TITLE = "Throttled account"
PER_SECOND = 3


def run(ctx: Context) -> Verdict:
    """Seed entries, throttle deletes, delete them all by the CLI, and count what the server ran."""
    count = 30 if ctx.smoke else 500
    verdict = Verdict(NAME, TITLE)
    scratch = ctx.scratch(NAME)
    verdict.tried = (
        f"`kaltura-mm delete --from-file` of {count} entries while the sandbox allows "
        f"{PER_SECOND} deletes/s (the rest answered ACTION_BLOCKED)"
    )
    with Sandbox(transcode_delay=0.05) as sb:
        category = sb.create_category("Throttle>Old lectures")
        ids = sb.seed_entries(category, count, name_prefix="old")
        keep = sb.seed_entries(category, 3, name_prefix="keep")
        (scratch / "ids.txt").write_text("\n".join(ids) + "\n", encoding="utf-8")
        sb.faults.throttle(service="baseentry", action="delete", per_second=PER_SECOND)
        meter = CallMeter(sb)
        env = cli_env(scratch, sb.service_url, sb.partner_id, sb.admin_secret)
        clock = Stopwatch()
        done = run_cli(
            ["--json", "delete", "--from-file", str(scratch / "ids.txt"), "--yes"],
            env,
            timeout=60 + count,
        )
        seconds = clock.seconds()
        left = {str(r["id"]) for r in inventory.live_entries(sb)}
    results = done.json_lines()
    by_status: dict[str, int] = {}
    for r in results:
        by_status[str(r.get("status"))] = by_status.get(str(r.get("status")), 0) + 1
    ran = meter.count("baseentry", "delete", "ok")
    again = meter.count("baseentry", "delete", "ENTRY_ID_NOT_FOUND")
    blocked = meter.count("baseentry", "delete", "ACTION_BLOCKED")
    verdict.check("the CLI exited 0", done.code == 0, done.describe())
    verdict.check("the throttle really pushed back", blocked > 0, f"{blocked} ACTION_BLOCKED")
    verdict.check(
        f"all {count} deleted on the server", not (left & set(ids)), f"{len(left & set(ids))} left"
    )
    verdict.check("nothing else deleted", set(keep) <= left, f"kept {len(set(keep) & left)}/3")
    verdict.check(
        "each entry deleted exactly once (server side)",
        ran == count and again == 0,
        f"{ran} deletes ran, {again} on an already deleted entry",
    )
    verdict.check(
        f"every result says done ({count})",
        by_status.get("done", 0) == count and len(results) == count,
        str(by_status),
    )
    verdict.check(
        f"paced near the allowance (>= {count / PER_SECOND * 0.8:.0f} s)",
        seconds >= count / PER_SECOND * 0.8,
        f"{seconds:.1f} s, {count / seconds:.2f} deletes/s",
    )
    verdict.survived = (
        f"{ran}/{count} deleted once each, {again} re-deleted, {blocked} throttled answers; "
        f"{seconds:.0f} s ({count / seconds:.2f}/s against {PER_SECOND}/s allowed)"
    )
    verdict.figures = {
        "entries": count,
        "deletes_run": ran,
        "re_deleted": again,
        "action_blocked": blocked,
        "seconds": round(seconds, 1),
        "deletes_per_second": round(count / seconds, 2),
    }
    return verdict
