"""Plan a big category with an empty state folder, content truth read from the server.

A 20,000-entry category that an earlier sync made from a folder-like manifest (no referenceId
column: every identity derived from the path, each entry's referenceId keeping the content it
was made from, ``kaltura_mm.sync.truth``), against that manifest with 100 differences (10 new
files, 30 edited, 30 renamed, 30 moved to a sub-category) and 10 entries it no longer lists.
Each entry is a video with its source flavor asset (version 2, as the sync's upload left it);
10 of the unchanged ones were replaced by another tool since (their source at 12, the entry's
version untouched, as Kaltura does). No records at all (another machine, a CI job): the plan
must still see the 30 edited files and the 10 conflicts, in at most 60 read requests. Part of
``python -m benchmarks --only sync``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks.harness import Context, Row
from kaltura_mm.client import Client
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.search_index import ENTRIES
from kaltura_mm.sync import derived_key, plan_sync, read_source, truth
from kaltura_mm.upload import local_file

LIMIT = 60
FOREIGN = 10  # videos another tool replaced: conflicts


def _made(sb: Sandbox, folder: Path, count: int, extra: int, foreign: int) -> int:
    """Seed the entries an earlier sync made of ``count`` files (and ``extra`` more whose files
    are gone): each named by its path, keeping its file's content, version 1 and its source
    asset's version from the upload; the last ``foreign`` of them replaced by another tool."""
    scope = sb.create_category("Bench>Truth")
    sb.create_category("Bench>Truth>Moved")
    ids = sb.seed_entries(scope, count + extra)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, entry_id in enumerate(ids):
        path = folder / f"f{i}.mp4"
        path.write_bytes(f"content of file {i}".encode() * 20)
        print_ = local_file.content_fingerprint(path)
        mark = truth.SourceMark(0, ours=True)  # made by the sync's upload
        rows.append((truth.stamped(derived_key(scope, path.name), print_, 1, mark), entry_id))
    assets = [
        (f"0_src{i:06d}", sb.partner_id, entry_id, 12 if count - foreign <= i < count else 2)
        for i, entry_id in enumerate(ids)
    ]
    core = sb.core
    with core.index.immediate(), core.store.tx() as conn:
        conn.executemany("UPDATE entries SET reference_id = ?, version = 1 WHERE id = ?", rows)
        conn.executemany(
            "INSERT INTO flavor_assets (id, partner_id, entry_id, status, version,"
            " flavor_params_id, is_original, tags, file_ext, size, size_in_bytes, created_at,"
            " updated_at) VALUES (?, ?, ?, 2, ?, 0, 1, 'source', 'mp4', 1, 420, 1, 1)",
            assets,
        )
    core.index.absorb(ENTRIES, "src.partner_id = ?", (sb.partner_id,))
    return scope


def _manifest(folder: Path, count: int, extra: int, diff: int) -> Path:
    """List ``count`` files: ``diff`` renamed, moved and edited each, ``diff // 3`` new."""
    for i in range(count, count + extra):
        (folder / f"f{i}.mp4").unlink()  # listed no more: extras
    rows = ["path,name,category"]
    for i in range(count):
        name = f"renamed {i}" if i < diff else f"entry {i + 1}"
        moved = "Bench>Truth>Moved" if diff <= i < 2 * diff else ""
        rows.append(f"f{i}.mp4,{name},{moved}")
        if 2 * diff <= i < 3 * diff:
            (folder / f"f{i}.mp4").write_bytes(os.urandom(400))  # edited since
    for i in range(diff // 3):
        (folder / f"new{i}.mp4").write_bytes(f"a new file {i}".encode() * 20)
        rows.append(f"new{i}.mp4,new {i},")
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n")
    return manifest


def stateless_plan(ctx: Context) -> Row:
    """Plan the category with no records; count the read requests and the replaces found."""
    count = 2_000 if ctx.smoke else 20_000
    diff, extra = (10 if ctx.smoke else 30), 10
    with Sandbox() as sb:
        folder = ctx.scratch("sync-truth-source")
        _made(sb, folder, count, extra, FOREIGN)
        # every row names its entry's name: an entry seeded as "entry N" is renamed only where
        # the manifest says so
        manifest = _manifest(folder, count, extra, diff)
        source = read_source(manifest)
        with Client(
            service_url=sb.service_url, partner_id=sb.partner_id, admin_secret=sb.admin_secret
        ) as client:
            sb.stats.reset()
            started = time.perf_counter()
            plan = client.run(plan_sync(source, "Bench>Truth", records={}))
            took = time.perf_counter() - started
            requests = sb.stats.http_requests
    counts = plan.counts()
    blind = sum("not compared" in (i.note or "") for i in plan.items)
    conflicts = counts.get("conflict", 0)
    found = (
        counts.get("replace", 0) == diff
        and counts.get("add", 0) == diff // 3
        and conflicts == FOREIGN
    )
    return Row(
        benchmark="sync",
        subject=f"plan {count:,} entries vs {count:,} rows, empty state folder, content "
        "truth from the server",
        median=float(requests),
        unit="requests",
        target=f"<= {LIMIT} HTTP requests, every edited file a replace, every foreign video "
        "replacement a conflict",
        passed=requests <= LIMIT and found and blind == 0,
        samples=[float(requests)],
        notes=f"{requests} HTTP requests, {took:.1f} s (every file read whole); plan: "
        f"{plan.summary()}; {blind} entries not compared; {conflicts} conflicts",
    )
