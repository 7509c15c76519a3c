"""One job, many workers (``kaltura_mm.jobs``): claims per second, and a worker killed mid-job.

Issue 18's figures:

- *claims*: 100,000 items (smoke: 2,000) claimed 100 at a time and finished, by 4 workers at
  once (threads, each with its own connection: on PostgreSQL the ``SKIP LOCKED`` path), on
  SQLite and on PostgreSQL (a real server, the ``pgserver`` wheel of the dev extra). Baseline,
  same run and store: the plain inserts that made the job's items (``JobQueue.create``).
- *SIGKILL*: ``kaltura-mm upload --workers 3`` of 24 files (smoke: 9) against the sandbox (each
  call 30 ms slower, so the job lasts seconds); a worker process holding items is killed with
  SIGKILL; measured: from the kill to the last of its items done by the others. Target: its
  lease plus 10 s; every file one entry on the server, nothing failed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.harness import Context, Row, sandbox_env
from kaltura_mm.jobs import JobQueue
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.store import Store, open_store

BATCH = 100
WORKERS = 4
LEASE = 3.0


@contextmanager
def postgres_url() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="kmm-bench-pg-"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(folder, cleanup_mode="delete")
        try:
            yield str(server.get_uri())
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _claims(location: str, items: int) -> tuple[float, float]:
    """Return (items/s claimed and finished by the workers, items/s inserted making the job)."""
    store = open_store(location)
    started = time.perf_counter()
    job = JobQueue(store).create("delete", "bench", {}, ({"n": n} for n in range(items)), 60)
    inserted = items / (time.perf_counter() - started)
    seen: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        own = open_store(location)
        queue = JobQueue(own)
        while claimed := queue.claim(job.job_id, name, BATCH, 60):
            queue.finish(job.job_id, name, {c.seq: {"ok": True} for c in claimed})
            with lock:
                seen.extend(c.seq for c in claimed)
        own.close()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = items / (time.perf_counter() - started)
    if sorted(seen) != list(range(items)) or not JobQueue(store).progress(job.job_id).finished:
        raise RuntimeError("an item was claimed twice or never")
    store.close()
    return claimed, inserted


def _claim_row(engine: str, items: int, measure: Callable[[], tuple[float, float]]) -> Row:
    claimed, inserted = measure()
    return Row(
        benchmark="jobs",
        subject=f"{engine}: {items:,} items claimed {BATCH} at a time and finished, "
        f"{WORKERS} workers",
        median=claimed,
        unit="items/s",
        baseline="plain inserts of the items (making the job), same store",
        baseline_median=inserted,
        samples=[claimed],
        notes="each item exactly once",
    )


def _entries(sb: Sandbox) -> Counter[str]:
    rows = sb.core.store.all(
        "SELECT name FROM entries WHERE partner_id = ? AND status != 3", (sb.partner_id,)
    )
    return Counter(str(r[0]) for r in rows)


def held_by_another(store: Store, parent: int) -> tuple[int, list[int]] | None:
    """Return a worker process (not ``parent``) holding items of a job, and their numbers."""
    queue = JobQueue(store)
    for job in queue.jobs():
        held = {pid: seqs for pid, seqs in queue.held(job.job_id).items() if pid != parent}
        if held:
            return next(iter(held.items()))
    return None


def _killed(ctx: Context, files: int) -> tuple[float, int]:
    """Return (seconds from the kill to the last of the victim's items done, its items)."""
    folder = ctx.scratch("kill")
    media = folder / "media"
    media.mkdir()
    for i in range(files):
        (media / f"clip{i:02d}.mp4").write_bytes(os.urandom(50_000 + i))
    with Sandbox() as sb:
        sb.create_category("Root>Drop")
        sb.faults.call_latency = 0.03
        env = sandbox_env(sb, folder, KALTURA_MM_STATE_DIR=str(folder / "state"))
        argv = [sys.executable, "-m", "kaltura_mm", "-q", "upload", str(media), "-c",
                "Root>Drop", "--workers", "3", "--lease", f"{LEASE:g}"]  # fmt: skip
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        db = folder / "state" / "state.db"
        deadline = time.monotonic() + 120
        while not db.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        store = open_store(db)
        held = None
        while held is None and proc.poll() is None and time.monotonic() < deadline:
            held = held_by_another(store, proc.pid)
            time.sleep(0.02)
        if held is None:
            raise RuntimeError("no worker was seen holding items")
        pid, items = held
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        marks = ",".join("?" * len(items))
        finished = None
        while finished is None and time.monotonic() < killed + 120:
            rows = store.read(
                f"SELECT COUNT(*) AS n FROM job_items WHERE item_state = 'done' "
                f"AND seq IN ({marks})",
                items,
            )
            if int(rows[0]["n"]) == len(items):
                finished = time.monotonic() - killed
            time.sleep(0.02)
        _, err = proc.communicate(timeout=300)
        store.close()
        if proc.returncode != 0:
            raise RuntimeError(f"the job failed ({proc.returncode}): {err.decode()[-2000:]}")
        if _entries(sb) != Counter(f"clip{i:02d}" for i in range(files)):
            raise RuntimeError("not one entry per file: a file was lost or uploaded twice")
    if finished is None:
        raise RuntimeError("the killed worker's items were never finished")
    return finished, len(items)


def run(ctx: Context) -> list[Row]:
    """Measure claims on SQLite and PostgreSQL, and the time to finish a killed worker's items."""
    items = 2_000 if ctx.smoke else 100_000
    rows = [_claim_row("SQLite", items, lambda: _claims(str(ctx.scratch("sqlite")), items))]
    with postgres_url() as url:
        rows.append(_claim_row("PostgreSQL", items, lambda: _claims(url, items)))
    files = 9 if ctx.smoke else 24
    seconds, held = _killed(ctx, files)
    rows.append(
        Row(
            benchmark="jobs",
            subject=f"upload --workers 3, {files} files: a worker killed (SIGKILL) holding "
            f"{held} items, to the last of them done by the others",
            median=seconds,
            unit="s",
            baseline=f"its lease ({LEASE:g} s) + 10 s",
            baseline_median=LEASE + 10,
            target=f"<= {LEASE + 10:g} s",
            passed=seconds <= LEASE + 10,
            samples=[seconds],
            notes="one entry per file on the server, exit 0",
        )
    )
    return rows
