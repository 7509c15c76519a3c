"""``upload --workers N`` / ``--job ID`` / ``kaltura-mm jobs``: one job, many worker processes.

Real worker processes (``python -m kaltura_mm``) against the sandbox on loopback; what was done is
read from the sandbox's own store, not from the runs' reports.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_jobs import held_by_another
from kaltura_mm.jobs import JobQueue
from kaltura_mm.store import open_store
from tests.cli.ground import live_entries
from tests.integration.sync_support import media

Runner = Callable[..., Any]


def _folder(tmp_path: Path, files: int, size: int = 20_000) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    for i in range(files):
        (folder / f"clip{i:02d}.mp4").write_bytes(os.urandom(size + i))
    return folder


def _job_notice(err: str) -> dict[str, Any]:
    notices = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    (job,) = [n for n in notices if n.get("notice") == "job"]
    return job


def _one_entry_per_file(sandbox: Any, files: int) -> None:
    names = Counter(str(e["name"]) for e in live_entries(sandbox))
    assert names == Counter(f"clip{i:02d}" for i in range(files))


def test_three_workers_upload_every_file_once_with_one_report(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Root>Drop")
    folder = _folder(tmp_path, 12)
    report = tmp_path / "report.json"
    run = cli("--json", "upload", str(folder), "-c", "Root>Drop", "--workers", "3",
              "--report", str(report))  # fmt: skip
    assert run.code == 0, run.err
    rows = run.json_lines()
    assert sorted(Path(r["path"]).name for r in rows) == [f"clip{i:02d}.mp4" for i in range(12)]
    assert {r["status"] for r in rows} == {"uploaded"}
    assert json.loads(report.read_text()) == rows
    _one_entry_per_file(sandbox_env, 12)
    job = _job_notice(run.err)
    assert (job["items"], job["workers"]) == (12, 3)
    store = open_store(tmp_path / "state")
    seen = JobQueue(store).workers(job["job"], 60)
    assert sum(w.done for w in seen) == 12 and len(seen) >= 3  # the 3 processes (and this one)
    assert len({w.pid for w in seen if w.done}) >= 2  # the work was shared
    store.close()


def _start(*argv: str) -> subprocess.Popen[str]:
    """Start ``kaltura-mm ARGV`` as a user would, in its own process (this test's environment)."""
    return subprocess.Popen(
        [sys.executable, "-m", "kaltura_mm", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_job_has_its_files_finished_by_the_others_within_its_lease(
    sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Root>Drop")
    sandbox_env.faults.call_latency = 0.03  # each call a little slow: the job lasts seconds
    folder = _folder(tmp_path, 15)
    lease = 3.0
    proc = _start("--json", "upload", str(folder), "-c", "Root>Drop", "--workers", "3",
                  "--lease", str(lease))  # fmt: skip
    db = tmp_path / "state" / "state.db"
    deadline = time.monotonic() + 60
    while not db.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    store = open_store(db)
    held = None
    while held is None and time.monotonic() < deadline and proc.poll() is None:
        held = held_by_another(store, proc.pid)
        time.sleep(0.02)
    assert held is not None, "no worker was seen holding items"
    victim, items = held
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    last_done = None
    while proc.poll() is None and time.monotonic() < killed + 60:
        marks = ",".join("?" * len(items))
        done = store.read(
            f"SELECT COUNT(*) AS n FROM job_items WHERE item_state = 'done' AND seq IN ({marks})",
            items,
        )
        if last_done is None and int(done[0]["n"]) == len(items):
            last_done = time.monotonic()
        time.sleep(0.05)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    if last_done is None:
        last_done = time.monotonic()
    assert last_done - killed <= lease + 10  # the bound: its lease plus 10 s
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(rows) == 15
    assert {r["status"] for r in rows} <= {"uploaded", "resumed", "existing"}
    said = [json.loads(line) for line in err.splitlines()]  # under --json, only JSON lines
    (ended,) = [r for r in said if r.get("error") == "worker_failed"]
    assert ended["worker"] == victim and "killed by SIGKILL" in ended["message"]
    assert set(ended) == {"error", "message", "fix", "exit_code", "worker"}  # the CLI's shape
    _one_entry_per_file(sandbox_env, 15)  # nothing lost, nothing made twice
    outcomes = store.read("SELECT done_by FROM job_items")
    dead = {r["done_by"] for r in outcomes if str(r["done_by"]).split(":")[1] == str(victim)}
    assert not dead  # the killed worker recorded none of the items it held
    store.close()


def test_jobs_lists_each_job_with_its_progress_and_workers(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    assert cli("jobs").code == 0  # an empty store: no jobs, no error
    folder = _folder(tmp_path, 4)
    run = cli("--json", "upload", str(folder), "--workers", "2")
    assert run.code == 0, run.err
    job_id = _job_notice(run.err)["job"]
    listed = cli("jobs", "--json")
    assert listed.code == 0, listed.err
    (line,) = listed.json_lines()
    assert (line["job"], line["kind"], line["items"], line["done"]) == (job_id, "upload", 4, 4)
    assert (line["held"], line["free"], line["workers_alive"]) == (0, 0, 0)
    assert line["workers"] == len(line["worker_list"]) >= 2
    assert sum(w["done"] for w in line["worker_list"]) == 4
    table = cli("jobs")
    assert job_id in table.out and "upload" in table.out


def test_a_second_process_joins_a_job_by_its_id_through_a_shared_postgresql_store(
    sandbox_env: Any, tmp_path: Path, postgres_url: str
) -> None:
    sandbox_env.create_category("Root>Drop")
    sandbox_env.faults.call_latency = 0.05
    folder = _folder(tmp_path, 16)
    first = _start("--json", "upload", str(folder), "-c", "Root>Drop", "--workers", "1",
                   "--store", postgres_url, "--state-dir", str(tmp_path / "one"))  # fmt: skip
    assert first.stderr is not None
    notice: dict[str, Any] = {}
    for line in first.stderr:  # the job's id comes first, before any upload
        if line.startswith("{") and json.loads(line).get("notice") == "job":
            notice = json.loads(line)
            break
    assert "--store URL" in notice["message"]  # it says how to join, without the password
    second = _start("--json", "upload", "--job", notice["job"], "--store", postgres_url,
                    "--state-dir", str(tmp_path / "two"))  # fmt: skip
    out_two, err_two = second.communicate(timeout=120)
    out_one, err_one = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err_one + err_two
    one = sorted(out_one.splitlines())
    assert one == sorted(out_two.splitlines())  # one report, printed by both
    assert len(one) == 16
    _one_entry_per_file(sandbox_env, 16)
    store = open_store(postgres_url)
    seen = JobQueue(store).workers(notice["job"], 60)
    by_pid = {w.pid: w.done for w in seen}
    assert by_pid.get(second.pid, 0) > 0  # the second machine took part
    assert sum(by_pid.values()) == 16
    store.close()


def test_delete_from_a_file_with_workers_deletes_each_entry_once_with_one_report(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Root>Old")
    ids = sandbox_env.seed_entries(category, 250, name_prefix="old")
    keep = sandbox_env.seed_entries(category, 3, name_prefix="keep")
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join([*ids, "0_nosuch"]) + "\n")
    report = tmp_path / "report.jsonl"
    refused = cli("delete", "--from-file", str(listing), "--workers", "2")
    assert refused.code == 2 and "--yes" in refused.err  # --workers asks nothing: --yes
    run = cli("--json", "delete", "--from-file", str(listing), "--workers", "3", "--yes",
              "--report", str(report))  # fmt: skip
    assert run.code == 3, run.err  # PARTIAL: one id does not exist, as without --workers
    rows = run.json_lines()
    assert [r["entry_id"] for r in rows] == [*ids, "0_nosuch"]  # one report, in order
    assert Counter(r["status"] for r in rows) == {"done": 250, "failed": 1}
    assert [json.loads(line) for line in report.read_text().splitlines()] == rows
    assert sorted(str(e["id"]) for e in live_entries(sandbox_env)) == sorted(keep)
    again = cli("--json", "delete", "--from-file", str(listing), "--workers", "2", "--yes",
                "--missing-ok")  # fmt: skip
    assert again.code == 0, again.err  # the shared deletion log: each is already done
    assert {r["status"] for r in again.json_lines()} == {"already_done"}


def test_detach_and_move_join_a_job_by_id_and_refuse_a_job_of_another_kind(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    source = sandbox_env.create_category("Root>A")
    sandbox_env.create_category("Root>B")
    ids = sandbox_env.seed_entries(source, 6, name_prefix="m")
    run = cli("--json", "move", *ids, "-c", "Root>A", "--to", "Root>B", "--workers", "2", "--yes")
    assert run.code == 0, run.err
    assert {r["status"] for r in run.json_lines()} == {"done"}
    job_id = _job_notice(run.err)["job"]
    wrong = cli("detach", "--job", job_id)
    assert wrong.code == 2 and f"job {job_id} is a move job" in wrong.err
    joined = cli("--json", "move", "--job", job_id)  # a finished job: its report again
    assert joined.code == 0, joined.err
    assert joined.json_lines() == run.json_lines()


def test_update_from_a_file_with_workers_edits_each_entry_once(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Root>Talks")
    ids = sandbox_env.seed_entries(category, 30, name_prefix="talk")
    edits = tmp_path / "edits.csv"
    edits.write_text("id,name\n" + "".join(f"{i},renamed {n}\n" for n, i in enumerate(ids)))
    run = cli("--json", "update", "--from-file", str(edits), "--workers", "2")
    assert run.code == 0, run.err
    rows = run.json_lines()
    assert [r["entry_id"] for r in rows] == ids
    assert {r["status"] for r in rows} == {"done"}
    names = {str(e["id"]): str(e["name"]) for e in live_entries(sandbox_env)}
    assert [names[i] for i in ids] == [f"renamed {n}" for n in range(30)]
    table = cli("update", "--job", _job_notice(run.err)["job"])  # joined when done: its report
    assert table.code == 0 and '-> "renamed 0"' in table.out


def test_a_job_stopped_at_max_duration_is_finished_by_joining_it(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Root>Drop")
    sandbox_env.faults.call_latency = 0.2  # each file takes seconds: the job outlasts 1 s
    folder = _folder(tmp_path, 6)
    first = cli("--json", "upload", str(folder), "-c", "Root>Drop", "--workers", "2",
                "--max-duration", "1")  # fmt: skip
    assert first.code == 8, first.err  # stopped cleanly, as without --workers
    left = [r for r in first.json_lines() if r["status"] == "not_started"]
    assert left and all(r["path"].startswith(str(folder)) for r in left)
    job_id = _job_notice(first.err)["job"]
    sandbox_env.faults.call_latency = 0.0
    again = cli("--json", "upload", "--job", job_id)
    assert again.code == 0, again.err
    rows = again.json_lines()
    assert len(rows) == 6 and {r["status"] for r in rows} <= {"uploaded", "resumed", "existing"}
    _one_entry_per_file(sandbox_env, 6)


def test_sync_with_workers_applies_each_item_once_and_leaves_nothing_to_plan(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Lectures")
    sandbox_env.seed_entries(course, 1, name_prefix="stray")
    folder = tmp_path / "lectures"
    for i in range(10):
        media(folder, f"week{i % 2}/talk{i}.mp4", 1_000 + i)
    sandbox_env.index.settle()
    run = cli("--json", "sync", str(folder), "-c", "Lectures", "--prune", "delete",
              "--max-delete", "1", "--yes", "--workers", "2")  # fmt: skip
    assert run.code == 0, run.err
    rows = run.json_lines()
    assert len(rows) == 11 and {r["status"] for r in rows} == {"done"}  # 10 adds, 1 prune
    names = sorted(str(e["name"]) for e in live_entries(sandbox_env))
    assert names == sorted(f"talk{i}" for i in range(10))  # one entry each, the stray pruned
    sandbox_env.index.settle()
    again = cli("--json", "sync", str(folder), "-c", "Lectures", "--prune", "delete", "--plan")
    assert again.code == 0, again.err
    assert json.loads(again.err.splitlines()[-1])["message"] == "Lectures: 0 changes: 10 keep"
    new = cli("sync", str(folder), "-c", "New", "--create-categories", "--yes", "--workers", "2")
    assert new.code == 2 and "--workers needs the sync's categories to exist" in new.err


def test_a_saved_plan_applied_by_workers_and_joined_by_id(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Talks")
    folder = tmp_path / "talks"
    for i in range(6):
        media(folder, f"talk{i}.mp4", 2_000 + i)
    plan = tmp_path / "plan.json"
    assert cli("sync", str(folder), "-c", "Talks", "--plan-out", str(plan)).code == 0
    run = cli("--json", "apply", str(plan), "--workers", "2")
    assert run.code == 0, run.err
    assert Counter(r["status"] for r in run.json_lines()) == {"done": 6}
    assert sorted(str(e["name"]) for e in live_entries(sandbox_env)) == [
        f"talk{i}" for i in range(6)
    ]
    job_id = _job_notice(run.err)["job"]
    joined = cli("--json", "apply", "--job", job_id)  # done: its one report again
    assert joined.code == 0 and joined.json_lines() == run.json_lines()
    assert cli("sync", "--job", job_id).code == 2  # an apply job, not a sync one
    other = cli("apply", "--job", job_id, "--chunk-size", "1MiB")  # the job's is the default
    assert other.code == 2 and "--chunk-size" in other.err
    assert cli("apply").code == 2 and cli("sync", str(folder)).code == 2  # still required
