"""Joining a job (``--job ID``) with other settings, the secret asked once for the workers, the
run lock a job's runs share: what a user of ``--workers`` meets (issue 18 D).

Real worker processes against the sandbox on loopback; what was done is read from the sandbox.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kaltura_mm.jobs import JobQueue
from kaltura_mm.store import open_store
from tests.cli.ground import job_id, live_entries

Runner = Callable[..., Any]


def _folder(tmp_path: Path, files: int, name: str = "media") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for i in range(files):
        (folder / f"{name}{i:02d}.mp4").write_bytes(os.urandom(5_000 + i))
    return folder


def test_a_joiner_that_sets_what_the_job_fixed_differently_is_refused_naming_the_flag(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, 3)
    made = cli("--json", "upload", str(folder), "--workers", "1", "--chunk-size", "1MiB")
    assert made.code == 0, made.err
    job = job_id(made.err)
    other = cli("upload", "--job", job, "--chunk-size", "2MiB")
    assert other.code == 2
    assert f"job {job} was made with --chunk-size 1048576" in other.err
    assert "this run says --chunk-size 2097152" in other.err and "drop --chunk-size" in other.err
    documents = cli("upload", "--job", job, "--documents")
    assert documents.code == 2 and "made with no --documents" in documents.err
    paths = cli("upload", str(folder), "--job", job)
    assert paths.code == 2 and "PATH" in paths.err and "not read when joining" in paths.err
    # the job's own value, and a setting that is each worker's own, are fine
    same = cli("--json", "upload", "--job", job, "--chunk-size", "1MiB", "--concurrency", "2")
    assert same.code == 0, same.err
    assert {r["status"] for r in same.json_lines()} == {"uploaded"}  # its one report again
    assert len(live_entries(sandbox_env)) == 3


def test_a_delete_joiner_cannot_change_missing_ok_or_name_ids(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Root>Old")
    ids = sandbox_env.seed_entries(category, 4, name_prefix="old")
    made = cli("--json", "delete", *ids, "--workers", "1", "--yes")
    assert made.code == 0, made.err
    job = job_id(made.err)
    loose = cli("delete", "--job", job, "--missing-ok")
    assert loose.code == 2 and "made with no --missing-ok" in loose.err
    named = cli("delete", "--job", job, ids[0])
    assert named.code == 2 and "ENTRY_ID" in named.err
    assert live_entries(sandbox_env) == []


def test_workers_started_from_a_terminal_use_the_secret_asked_once(
    sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Root>Drop")
    folder = _folder(tmp_path, 6)
    env = {k: v for k, v in os.environ.items() if k != "KALTURA_ADMIN_SECRET"}
    argv = [sys.executable, "-m", "kaltura_mm", "upload", str(folder), "-c", "Root>Drop",
            "--workers", "2"]  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the child: kaltura-mm on a terminal, as a user starts it
        os.execvpe(argv[0], argv, env)
    seen, answered = b"", False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not select.select([fd], [], [], 1.0)[0]:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal closed: the run ended
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"secret" in seen:
            os.write(fd, sandbox_env.admin_secret.encode() + b"\n")
            answered = True
    if time.monotonic() >= deadline:  # still running past the deadline: end it
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = seen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert text.count("Kaltura admin secret") == 1  # asked once, by the run, not per worker
    assert sandbox_env.admin_secret not in text
    assert len(live_entries(sandbox_env)) == 6
    store = open_store(tmp_path / "state")
    (job,) = JobQueue(store).jobs()
    workers = JobQueue(store).workers(job.job_id, 60)
    store.close()
    assert sum(w.done for w in workers if w.pid != pid) == 6  # the workers did it all


def test_under_json_the_workers_cannot_ask_and_the_run_fails_before_making_a_job(
    cli: Runner, sandbox_env: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    folder = _folder(tmp_path, 2)
    run = cli("--json", "upload", str(folder), "--workers", "2")
    assert run.code == 4
    (error,) = [json.loads(line) for line in run.err.splitlines()]
    assert error["error"] == "auth" and "KALTURA_ADMIN_SECRET" in error["fix"]
    store = open_store(tmp_path / "state")
    assert JobQueue(store).jobs() == []
    store.close()


def test_a_plain_run_waits_for_a_job_on_its_state_folder_and_a_joiner_does_not(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.faults.call_latency = 0.1  # the job lasts a few seconds
    folder = _folder(tmp_path, 8)
    maker = subprocess.Popen(
        [sys.executable, "-m", "kaltura_mm", "--json", "upload", str(folder), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert maker.stderr is not None
    job = ""
    for line in maker.stderr:
        if line.startswith("{") and json.loads(line).get("notice") == "job":
            job = json.loads(line)["job"]
            break
    plain = cli("upload", str(_folder(tmp_path, 1, "other")))
    assert plain.code == 7, plain.err  # the job's runs hold the state folder
    assert "another kaltura-mm run is using the state directory" in plain.err
    assert "--workers 1" in plain.err  # it names the job's run
    joined = cli("--json", "upload", "--job", job)  # a run of the job shares it
    assert joined.code == 0, joined.err
    _, err = maker.communicate(timeout=120)
    assert maker.returncode == 0, err
    assert len(joined.json_lines()) == 8
    sandbox_env.faults.call_latency = 0.0
    after = cli("upload", str(tmp_path / "other"))
    assert after.code == 0, after.err  # the job ended: the folder is free


def test_the_jobs_report_says_what_the_server_holds_when_it_is_printed(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, 3)
    made = cli("--json", "upload", str(folder), "--workers", "1")
    assert made.code == 0, made.err
    gone = made.json_lines()[0]["entry_id"]
    assert cli("delete", gone, "--yes").code == 0  # someone deletes one of the job's entries
    again = cli("--json", "upload", "--job", job_id(made.err))  # the job's report, later
    assert again.code == 3, again.err  # PARTIAL: as the server says, not as recorded
    first, *rest = again.json_lines()
    assert (first["entry_id"], first["status"], first["error"]) == (gone, "failed", "entry_gone")
    assert gone in first["message"]
    assert [r["status"] for r in rest] == ["uploaded", "uploaded"]
