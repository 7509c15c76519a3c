"""Sync and bulk-edit benchmarks: plan a big category, apply only what differs, 1,000 updates.

Run: ``python -m benchmarks --only sync`` (``--smoke`` for small counts). Against the local
sandbox, with baselines measured in the same run:

- plan a 20,000-entry category against a 20,000-row manifest that differs in 100 entries (10 new
  files, 30 renamed, 30 edited files, 30 moved to a sub-category) and holds 10 entries the
  manifest does not list; the sync's records name every entry it made (a cron job's state), and
  again with no records (an empty state folder: another machine). Targets: at most 60 HTTP
  requests to read (each), and, applied, writes to those 100 entries only.
  Baseline: the naive way, one ``baseEntry.list(referenceIdEqual)`` per manifest row, timed on
  a sample of rows and scaled to all of them.
- ``kaltura-mm check`` of the same category and manifest (the real command, its records in a
  state directory), beside the plan's own time: target at most 60 HTTP requests, exit 1 and
  one line per difference.
- the same with identities derived from the paths (no referenceId column) and no records:
  content truth read from the server (``benchmarks.sync_truth``), every edited file found;
- 1,000 metadata updates at 50 ms of simulated latency per request: ``update_entries`` (target:
  at most 25 multiRequests) vs one ``baseEntry.update`` per entry, timed on a sample and scaled.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Context, Row, median
from benchmarks.sync_truth import stateless_plan
from kaltura_mm.cli import main
from kaltura_mm.client import Client
from kaltura_mm.flows.edits import EntryEdit, update_entries
from kaltura_mm.flows.listing import ANY_STATUS
from kaltura_mm.models import BaseEntryFilter, BaseEntryParams, Pager
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.search_index import ENTRIES
from kaltura_mm.services import base_entry
from kaltura_mm.store import Target, open_store
from kaltura_mm.sync import Plan, SyncRecord, plan_sync, read_source
from kaltura_mm.sync.flows import apply_sync
from kaltura_mm.sync.records import fingerprint
from kaltura_mm.upload.request import UploadOptions

LATENCY = 0.05
WRITES = {
    ("baseentry", "add"),
    ("baseentry", "update"),
    ("baseentry", "updatecontent"),
    ("baseentry", "delete"),
    ("uploadtoken", "add"),
    ("uploadtoken", "upload"),
    ("uploadtoken", "delete"),
    ("categoryentry", "add"),
    ("categoryentry", "delete"),
    ("category", "add"),
}


def _client(sb: Sandbox) -> Client:
    return Client(
        service_url=sb.service_url, partner_id=sb.partner_id, admin_secret=sb.admin_secret
    )


def _writes(sb: Sandbox) -> int:
    return sum(n for key, n in sb.stats.calls.items() if key in WRITES)


def _seed(sb: Sandbox, count: int) -> tuple[int, list[str]]:
    """Seed ``count`` entries carrying referenceIds ``bench-<i>`` into Bench>Sync."""
    category = sb.create_category("Bench>Sync")
    sb.create_category("Bench>Sync>Moved")
    ids = sb.seed_entries(category, count)
    core = sb.core
    with core.index.immediate(), core.store.tx() as conn:
        conn.executemany(
            "UPDATE entries SET reference_id = ? WHERE id = ?",
            [(f"bench-{i}", entry_id) for i, entry_id in enumerate(ids)],
        )
    core.index.absorb(ENTRIES, "src.partner_id = ?", (sb.partner_id,))
    return category, ids


def _source(folder: Path, count: int, diff: int) -> Path:
    """Write ``count`` files and a manifest of them; ``diff`` of each kind of difference."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["path,name,category,referenceId"]
    for i in range(count):
        (folder / f"f{i}.mp4").write_bytes(f"content of file {i}".encode() * 20)
        new = i >= count - diff // 3  # the last tenth: new files, their entries' files unlisted
        if new:
            (folder / f"n{i}.mp4").write_bytes(f"content of new file {i}".encode() * 20)
        ref = f"new-{i}" if new else f"bench-{i}"
        name = f"renamed {i + 1}" if i < diff else f"entry {i + 1}"
        moved = "Bench>Sync>Moved" if diff <= i < 2 * diff else ""
        rows.append(f"{'n' if new else 'f'}{i}.mp4,{name},{moved},{ref}")
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n")
    return manifest


def _snapshot(sb: Sandbox) -> dict[str, tuple[Any, ...]]:
    rows = sb.core.store.all(
        "SELECT e.id, e.name, e.reference_id, e.version, e.status, e.extra, "
        "(SELECT group_concat(category_id) FROM category_entries ce WHERE ce.entry_id = e.id "
        "AND ce.status = 2) FROM entries e WHERE e.partner_id = ? AND e.display_in_search != -1",
        (sb.partner_id,),
    )
    return {str(r[0]): tuple(r) for r in rows}


def _plan_and_apply(ctx: Context) -> list[Row]:
    count = 2_000 if ctx.smoke else 20_000
    diff = 10 if ctx.smoke else 30  # of each kind: renamed, moved, edited; a third of it new
    read_limit = 60
    with Sandbox() as sb, _client(sb) as client:
        _, ids = _seed(sb, count)
        manifest = _source(ctx.scratch("sync-source"), count, diff)
        source = read_source(manifest)
        records = {
            f"bench-{i}": SyncRecord.of(
                f"bench-{i}", ids[i], fingerprint(manifest.parent / f"f{i}.mp4"), f"f{i}.mp4"
            )
            for i in range(count)
        }
        for i in range(2 * diff, 3 * diff):  # edited since the last sync
            (manifest.parent / f"f{i}.mp4").write_bytes(os.urandom(400))
        samples, requests = [], []
        plan: Plan | None = None
        for _ in range(ctx.repeats):
            sb.stats.reset()
            started = time.perf_counter()
            plan = client.run(plan_sync(source, "Bench>Sync", records=records))
            samples.append(time.perf_counter() - started)
            requests.append(sb.stats.http_requests)
        assert plan is not None
        checked = _check(ctx, sb, manifest, records, plan, median(samples), read_limit)
        sb.stats.reset()  # another machine: no records, every file read whole
        stateless = client.run(plan_sync(source, "Bench>Sync", records={}))
        stateless_requests = sb.stats.http_requests
        before = _snapshot(sb)
        sb.stats.reset()
        started = time.perf_counter()
        outcomes = client.run(
            apply_sync(plan, records=records, check=False, options=UploadOptions())
        )
        applied = time.perf_counter() - started
        after = _snapshot(sb)
        touched = {k for k in after if before.get(k) != after[k]}
        write_calls, apply_requests = _writes(sb), sb.stats.http_requests
        naive, sample = _naive_plan(sb, client, count)
    expected = plan.changes
    ok = all(o.ok for o in outcomes) and len(touched) == expected
    return [
        checked,
        Row(
            benchmark="sync",
            subject=f"plan {count:,} entries vs {count:,} rows, {expected} differ",
            median=median(samples),
            unit="s",
            baseline="naive: one list call per row",
            baseline_median=naive,
            target=f"<= {read_limit} HTTP requests",
            passed=max(requests) <= read_limit,
            samples=samples,
            notes=f"{max(requests)} HTTP requests to read (naive: {count:,}); plan: "
            f"{plan.summary()}; naive timed on {sample:,} rows and scaled x{count / sample:g}",
        ),
        Row(
            benchmark="sync",
            subject=f"plan {count:,} entries vs {count:,} rows, empty state folder",
            median=float(stateless_requests),
            unit="requests",
            target=f"<= {read_limit} HTTP requests",
            passed=stateless_requests <= read_limit,
            samples=[float(stateless_requests)],
            notes=f"no records (another machine, a CI job); plan: {stateless.summary()}",
        ),
        Row(
            benchmark="sync",
            subject=f"apply: entries written of {count:,}",
            median=float(len(touched)),
            unit="entries",
            target=f"== the {expected} that differ",
            passed=ok,
            samples=[applied],
            notes=f"{write_calls} write calls in {apply_requests} HTTP requests, {applied:.1f} s; "
            f"every item ok: {all(o.ok for o in outcomes)}",
        ),
    ]


def _check(
    ctx: Context,
    sb: Sandbox,
    manifest: Path,
    records: dict[str, SyncRecord],
    plan: Plan,
    plan_time: float,
    limit: int,
) -> Row:
    """Run ``kaltura-mm check`` (the command itself) on the plan's category and manifest."""
    state = ctx.scratch("sync-check-state")
    db = open_store(state)
    target = Target(sb.service_url, sb.partner_id)
    scope = plan.scope.id or 0
    db.remember_target(target)
    db.write_many(
        "INSERT INTO sync_records (target, scope, reference_id, entry_id, relative, size, "
        "mtime_ns, sample_sha256, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [
            (target.key, scope, r.reference_id, r.entry_id, r.relative, r.size, r.mtime_ns,
             r.sample_sha256)
            for r in records.values()
        ],
    )  # fmt: skip
    db.close()
    env = {
        "KALTURA_SERVICE_URL": sb.service_url,
        "KALTURA_PARTNER_ID": str(sb.partner_id),
        "KALTURA_ADMIN_SECRET": sb.admin_secret,
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    out = io.StringIO()
    try:
        sb.stats.reset()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out):
            argv = ["check", str(manifest), "-c", "Bench>Sync", "--state-dir", str(state), "-q"]
            code = main(argv)
        took = time.perf_counter() - started
        requests = sb.stats.http_requests
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    lines = len(out.getvalue().splitlines())
    wanted = plan.changes + sum("extra" in i.actions for i in plan.items)
    return Row(
        benchmark="sync",
        subject=f"kaltura-mm check, {len(records):,} entries vs {len(records):,} rows",
        median=took,
        unit="s",
        baseline="sync --plan (plan_sync), same run",
        baseline_median=plan_time,
        target=f"<= {limit} HTTP requests, exit 1, a line per difference",
        passed=requests <= limit and code == 1 and lines == wanted,
        samples=[took],
        notes=f"{requests} HTTP requests, exit {code}, {lines} lines ({wanted} differences)",
    )


def _naive_plan(sb: Sandbox, client: Client, count: int) -> tuple[float, int]:
    """Time one ``baseEntry.list(referenceIdEqual)`` per row on a sample; scale to ``count``."""
    sample = min(count, 1_000)
    started = time.perf_counter()
    for i in range(sample):
        query = BaseEntryFilter(reference_id_equal=f"bench-{i}", status_in=ANY_STATUS)
        client.call(base_entry.list(query, Pager(page_size=10)))
    return (time.perf_counter() - started) * count / sample, sample


def _updates(ctx: Context) -> list[Row]:
    count = 200 if ctx.smoke else 1_000
    limit = 25
    sample = 50 if ctx.smoke else 200
    with Sandbox() as sb, _client(sb) as client:
        category = sb.create_category("Bench>Edits")
        ids = sb.seed_entries(category, count + sample)
        edits = [EntryEdit(entry_id=i, name=f"edited {n}") for n, i in enumerate(ids[:count])]
        sb.faults.latency = LATENCY
        sb.stats.reset()
        started = time.perf_counter()
        outcomes = client.run(update_entries(edits))
        ours = time.perf_counter() - started
        requests = sb.stats.http_requests
        started = time.perf_counter()
        for n, entry_id in enumerate(ids[count:]):
            client.call(base_entry.update(entry_id, BaseEntryParams(name=f"naive {n}")))
        naive = (time.perf_counter() - started) * count / sample
        sb.faults.latency = 0.0
    ok = all(o.status == "done" for o in outcomes)
    return [
        Row(
            benchmark="sync",
            subject=f"{count:,} metadata updates at 50 ms",
            median=ours,
            unit="s",
            baseline="one baseEntry.update per entry",
            baseline_median=naive,
            target=f"<= {limit} HTTP requests, all done",
            passed=ok and requests <= limit,
            samples=[ours],
            notes=f"{requests} HTTP requests (1 reads every entry, the rest send only what "
            f"differs); baseline timed on {sample} entries and scaled x{count / sample:g}",
        )
    ]


def run(ctx: Context) -> list[Row]:
    """Measure planning a big sync, applying only its differences, and bulk updates."""
    return [*_plan_and_apply(ctx), stateless_plan(ctx), *_updates(ctx)]
