"""``kaltura-mm uploads``: unfinished uploads listed, resumed, or aborted (nothing left behind)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.cli.ground import in_category, live_entries, open_tokens
from tests.cli.test_interrupts import _argv, _wait_for_progress, slow_drop

__all__ = ["slow_drop"]


def _stop_half_way(installed: list[str], drop: dict[str, Any]) -> None:
    process = subprocess.Popen(
        _argv(installed, drop), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=drop["env"]
    )
    _wait_for_progress(drop["state"])
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode == 130
    drop["sandbox"].faults.latency = 0.0


def _kmm(
    installed: list[str], drop: dict[str, Any], *argv: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*installed, *argv], capture_output=True, text=True, env=drop["env"], timeout=120
    )


def _listed(installed: list[str], drop: dict[str, Any]) -> list[dict[str, Any]]:
    """Return what ``kaltura-mm uploads --json`` lists."""
    return [json.loads(x) for x in _kmm(installed, drop, "uploads", "--json").stdout.splitlines()]


def test_a_file_changed_after_an_interrupt_leaves_nothing_behind_once_aborted(
    installed: list[str], slow_drop: dict[str, Any]
) -> None:
    sandbox = slow_drop["sandbox"]
    _stop_half_way(installed, slow_drop)
    (listed,) = _listed(installed, slow_drop)
    assert (listed["file"], listed["path"].endswith("part0.mp4")) == ("unchanged", True)
    half_made = listed["entry_id"]
    changed = Path(listed["path"])
    changed.write_bytes(changed.read_bytes() + b"a new ending")  # edited while stopped
    listed = json.loads(_kmm(installed, slow_drop, "uploads", "--json").stdout)
    assert listed["file"] == "changed"
    again = _kmm(installed, slow_drop, *_argv(installed, slow_drop)[1:], "--json")
    assert again.returncode == 0, again.stderr
    assert "kaltura-mm uploads abort --all" in again.stderr
    drop_id = sandbox.core.store.one("SELECT id FROM categories WHERE name = 'Drop'")[0]
    assert half_made in in_category(sandbox, drop_id)  # the old half-made entry, still there
    aborted = _kmm(installed, slow_drop, "uploads", "abort", "--all", "--yes", "--json")
    assert aborted.returncode == 0, aborted.stderr
    (outcome,) = [json.loads(x) for x in aborted.stdout.splitlines()]
    assert (outcome["status"], outcome["deleted_entries"]) == ("aborted", half_made)
    assert half_made not in in_category(sandbox, drop_id)
    assert open_tokens(sandbox) == []
    assert len(live_entries(sandbox)) == 3  # the three files, the changed one as it is now
    assert _kmm(installed, slow_drop, "uploads", "--json").stdout == ""


def test_uploads_resume_finishes_what_was_stopped(
    installed: list[str], slow_drop: dict[str, Any]
) -> None:
    _stop_half_way(installed, slow_drop)
    resumed = _kmm(installed, slow_drop, "uploads", "resume", "--all", "--json")
    assert resumed.returncode == 0, resumed.stderr
    (record,) = [json.loads(x) for x in resumed.stdout.splitlines()]
    assert record["status"] == "resumed" and record["bytes_resumed"] > 0
    served = slow_drop["sandbox"].entry_bytes(record["entry_id"]).read_bytes()
    assert served == Path(record["path"]).read_bytes()
    assert _kmm(installed, slow_drop, "uploads", "--json").stdout == ""


def test_an_abort_whose_entry_delete_fails_keeps_the_tokens_and_the_upload_for_a_new_abort(
    installed: list[str], slow_drop: dict[str, Any]
) -> None:
    sandbox = slow_drop["sandbox"]
    _stop_half_way(installed, slow_drop)
    (listed,) = _listed(installed, slow_drop)
    half_made = listed["entry_id"]
    tokens = {t["id"] for t in open_tokens(sandbox)}
    assert tokens  # the half-sent file's token is open
    sandbox.faults.inject(service="baseEntry", action="delete", kinds=("http500",))
    failed = _kmm(installed, slow_drop, "--retries", "0", "uploads", "abort", "--all", "--yes")
    assert failed.returncode != 0 and "failed" in failed.stdout, failed.stdout
    # Entries are deleted before tokens (upload/tidy.py's rule): the entry stayed, so its tokens
    # (which name it, for the next lookup) and the saved upload stayed too.
    assert half_made in {e["id"] for e in live_entries(sandbox)}
    assert {t["id"] for t in open_tokens(sandbox)} == tokens
    (still,) = _listed(installed, slow_drop)
    assert still["entry_id"] == half_made
    sandbox.faults.clear()
    again = _kmm(installed, slow_drop, "uploads", "abort", "--all", "--yes", "--json")
    assert again.returncode == 0, again.stderr
    assert half_made not in {e["id"] for e in live_entries(sandbox)}
    assert open_tokens(sandbox) == []
    assert _kmm(installed, slow_drop, "uploads", "--json").stdout == ""
