"""Ctrl-C in the middle of a big delete: what landed is printed and recorded; a re-run finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.ground import live_entries

ENTRIES = 1200


@pytest.fixture
def crowded(kaltura_sandbox: Any, tmp_path: Path) -> dict[str, Any]:
    """A slow sandbox with a category of many entries, their ids in a file, and a command env."""
    category = kaltura_sandbox.create_category("Root>Crowded")
    ids = kaltura_sandbox.seed_entries(category, ENTRIES)
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join(ids) + "\n")
    kaltura_sandbox.faults.latency = 0.4
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(
        KALTURA_SERVICE_URL=kaltura_sandbox.service_url,
        KALTURA_PARTNER_ID=str(kaltura_sandbox.partner_id),
        KALTURA_ADMIN_SECRET=kaltura_sandbox.admin_secret,
        KALTURA_MM_STATE_DIR=str(tmp_path / "state"),
        KALTURA_MM_CONFIG=str(tmp_path / "none.toml"),
    )
    return {"sandbox": kaltura_sandbox, "ids": ids, "listing": listing, "env": env}


def _rest_of(process: subprocess.Popen[str]) -> tuple[str, str]:
    assert process.stdout is not None and process.stderr is not None
    rest = process.stdout.read()
    err = process.stderr.read()
    process.wait(timeout=60)
    return rest, err


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_delete_prints_what_landed_and_a_rerun_ends_clean(
    installed: list[str], crowded: dict[str, Any], stop: signal.Signals
) -> None:
    argv = [*installed, "--json", "delete", "--from-file", str(crowded["listing"]), "--yes"]
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=crowded["env"]
    )
    assert process.stdout is not None
    landed = [json.loads(process.stdout.readline()) for _ in range(100)]
    process.send_signal(stop)
    # Read on through the same text stream: communicate() would skip what readline() buffered.
    rest, err = _rest_of(process)
    landed += [json.loads(line) for line in rest.splitlines()]
    assert process.returncode == 130, err
    assert len(landed) < ENTRIES
    assert {r["status"] for r in landed} == {"done"}
    notice = json.loads(err.splitlines()[-1])
    assert notice["notice"] == "interrupted" and "again" in notice["message"]
    crowded["sandbox"].faults.latency = 0.0
    rerun = subprocess.run(argv, capture_output=True, text=True, env=crowded["env"], timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    statuses = {r["entry_id"]: r["status"] for r in map(json.loads, rerun.stdout.splitlines())}
    assert set(statuses) == set(crowded["ids"])
    assert {statuses[r["entry_id"]] for r in landed} == {"already_done"}
    assert "failed" not in statuses.values()
    assert live_entries(crowded["sandbox"]) == []


_IGNORED_AT_START = """
import os, signal
from kaltura_mm.commands.remove_run import stop_signals_as_interrupt
assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # as in a shell's background job
try:
    with stop_signals_as_interrupt():
        os.kill(os.getpid(), signal.SIGINT)
        signal.pause()  # a SIGINT that is lost would hang here, until the timeout
except KeyboardInterrupt:
    print("stopped", signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
"""


def test_ctrl_c_stops_a_delete_started_with_sigint_ignored() -> None:
    """A process started in the background by a shell inherits SIGINT ignored; ``kill -INT`` must
    still stop the run (it used to finish and exit 0), and the block leaves SIGINT as it was."""
    ran = subprocess.run(
        [sys.executable, "-c", _IGNORED_AT_START],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert (ran.returncode, ran.stdout.strip()) == (0, "stopped True"), ran.stderr
