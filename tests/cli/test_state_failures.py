"""A state directory that cannot be written: a loud error naming it, and nothing lost."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import live_entries, open_tokens
from tests.cli.test_interrupts import _argv, _finish_and_check, _wait_for_progress, slow_drop
from tests.cli.test_upload import make_files

__all__ = ["slow_drop"]
Runner = Callable[..., Any]


def test_a_state_dir_that_cannot_be_made_stops_before_anything_is_sent(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Root>Drop")
    make_files(tmp_path / "media", 2)
    (tmp_path / "taken").write_text("a file where the state directory should go")
    state = tmp_path / "taken" / "state"
    result = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop",
                 "--state-dir", str(state))  # fmt: skip
    assert result.code == 2
    error = json.loads(result.err.splitlines()[-1])
    assert str(state) in error["message"] and "--state-dir" in error["fix"]
    assert live_entries(sandbox_env) == []


def _no_file_size_signal() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG


def test_a_full_disk_mid_run_is_an_error_and_every_file_resumes(
    installed: list[str], slow_drop: dict[str, Any]
) -> None:
    process = subprocess.Popen(
        [*_argv(installed, slow_drop), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=slow_drop["env"],
        preexec_fn=_no_file_size_signal,
    )
    _wait_for_progress(slow_drop["state"])
    # From now on no file of the process can grow: the disk is full.
    resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (1, 1))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    error = json.loads(err.splitlines()[-1])
    assert f"cannot record kaltura-mm's state in {slow_drop['state']}" in error["message"]
    assert "Traceback" not in err
    statuses = [json.loads(line)["status"] for line in out.splitlines()]
    assert "cancelled" in statuses and "uploaded" not in statuses[1:]
    records = _finish_and_check(installed, slow_drop)
    assert "resumed" in {r["status"] for r in records} or "existing" in {
        r["status"] for r in records
    }
    assert len(live_entries(slow_drop["sandbox"])) == 3
    assert open_tokens(slow_drop["sandbox"]) == []


def test_a_budget_file_of_another_build_stops_the_run_and_says_so(
    cli: Runner, sandbox_env: Any, own_rate_budget: Path
) -> None:
    from tests.store.test_migrations import MIGRATIONS, _positional

    # a branch's build recorded the budget's learner column at position 4, where jobs are here
    _positional(str(own_rate_budget), [*MIGRATIONS[:3], MIGRATIONS[4]])
    result = cli("--json", "categories")
    assert result.code == 2, result.err
    error = json.loads(result.err.splitlines()[-1])
    assert "written by another kaltura-mm build" in error["message"]
    assert "free some space" not in result.err and "budget.sqlite3" in error["fix"]
