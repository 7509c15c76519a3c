"""Independent processes share one rate budget: in virtual time (many entries, the issue's
figures) and as real ``kaltura-mm delete --from-file`` processes against the sandbox."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.virtual_budget import run_processes

LIMIT, WINDOW = 30, 10.0


@pytest.mark.parametrize("processes", [2, 4])
def test_independent_processes_reach_the_allowed_rate_with_few_blocks(
    processes: int, tmp_path: Path
) -> None:
    alone = run_processes(processes, 1200 // processes, LIMIT, WINDOW, None)
    shared = run_processes(processes, 1200 // processes, LIMIT, WINDOW, tmp_path / "b.sqlite3")
    # Every entry deleted exactly once is asserted by run_processes (the server's count).
    assert shared.share(LIMIT, WINDOW) >= 0.9
    # Learning costs the first rounds' overshoot (rule 1 of kaltura_mm.flows.pacing: a 30-item
    # round with 10 left) and the window's probes (one just past 1 s, one just under the window's
    # upper bound), once for all processes: the 2% already at 1,200 deletes.
    assert shared.blocked <= 20 + 3
    assert shared.blocked_share() <= 0.02
    assert shared.blocked_share() < alone.blocked_share()
    assert shared.seconds < alone.seconds


def _command() -> str:
    found = shutil.which("kaltura-mm", path=str(Path(sys.executable).parent))
    assert found, "the kaltura-mm console script is not installed in this environment"
    return found


def _env(sandbox: Any, tmp_path: Path, name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(
        KALTURA_SERVICE_URL=sandbox.service_url,
        KALTURA_PARTNER_ID=str(sandbox.partner_id),
        KALTURA_ADMIN_SECRET=sandbox.admin_secret,
        KALTURA_MM_STATE_DIR=str(tmp_path / name / "state"),  # separate state folders
        KALTURA_MM_CONFIG=str(tmp_path / "none.toml"),
        KALTURA_MM_BUDGET_FILE=str(tmp_path / "budget.sqlite3"),
    )
    return env


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_delete_processes_started_at_once_share_the_budget(
    kaltura_sandbox: Any, tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    """Two processes on one machine (the SQLite file, no flag), or three with separate state
    folders and one PostgreSQL store (``--store``: it carries the budget), as on three
    machines."""
    kaltura_sandbox.faults.throttle("baseEntry", "delete", limit=10, window=2.0)
    count = 2 if store == "sqlite" else 3
    extra = [] if store == "sqlite" else ["--store", request.getfixturevalue("postgres_url")]
    category = kaltura_sandbox.create_category("Root>Shared")
    ids = kaltura_sandbox.seed_entries(category, 40)
    parts = [ids[n::count] for n in range(count)]
    started = []
    for n, part in enumerate(parts):
        listing = tmp_path / f"part{n}.txt"
        listing.write_text("\n".join(part) + "\n")
        argv = [_command(), "--json", "delete", "--from-file", str(listing), "--yes", *extra]
        env = _env(kaltura_sandbox, tmp_path, f"p{n}")
        started.append(
            subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
            )
        )
    for process, part in zip(started, parts, strict=True):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        assert sorted(line["entry_id"] for line in lines) == sorted(part), out
        assert all(line["status"] == "done" for line in lines), out
    stats = kaltura_sandbox.stats
    assert stats.accepted[("baseentry", "delete")] == 40  # each entry deleted exactly once
    # Learning costs the first round's overshoot (20 items, FIRST_ROUND, with 10 allowed), and the
    # learning of the window by one process (its probes; a burst that met a window not yet over),
    # while the others wait for it: about two windows' worth, whatever the number of processes.
    assert stats.blocked[("baseentry", "delete")] <= 10 + 2 * 10 + 6
    if store == "postgres":  # the budget was the database's, not a file
        assert not (tmp_path / "budget.sqlite3").exists()


def test_no_shared_budget_leaves_the_budget_alone(kaltura_sandbox: Any, tmp_path: Path) -> None:
    env = _env(kaltura_sandbox, tmp_path, "off")
    [entry] = kaltura_sandbox.seed_entries(None, 1)
    argv = [_command(), "--no-shared-budget", "delete", entry, "--yes"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "budget.sqlite3").exists()
    [other] = kaltura_sandbox.seed_entries(None, 1)
    done = subprocess.run(
        argv[:1] + argv[2:-2] + [other, "--yes"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "budget.sqlite3").exists()  # the environment asks for it: on
