"""Two ``upload`` (or ``sync``) runs that share no store (two users' cron jobs, two state
folders) at once, on the same files.

Issue 18's outside attack: two runs of the same files with separate state folders reported dead
entry ids as uploaded (each run's clean-up broke a same-second tie its own way and deleted the
entry the other had reported). Both runs must end with the same entry for each file, one entry
per file on the server, and never report an entry the server no longer holds (recover rule 8:
every run computes the same order of entries; a run deletes no complete entry but its own, and
that before reporting it; waits are bounded). A run whose half-made entry the other deleted, or
whose wait ran out, says so (``failed``: exit 3; a re-run finds the kept entry), never
``uploaded``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.cli.ground import live_entries

ROUNDS = int(os.environ.get("KMM_RACE_ROUNDS", "1"))
LATENCY = float(os.environ.get("KMM_RACE_LATENCY", "0.3"))
GONE = ("ENTRY_ID_NOT_FOUND", "UPLOAD_TOKEN_NOT_FOUND")
DONE = {"upload": ("uploaded", "existing", "resumed"), "sync": ("done", "already_done")}


def _run_both(command: str, folder: Path, category: str, state: Path) -> list[list[dict[str, Any]]]:
    argv = [sys.executable, "-m", "kaltura_mm", "--json", command, str(folder), "-c", category]
    argv += ["--yes"] if command == "sync" else []
    procs = [
        subprocess.Popen(
            [*argv, "--state-dir", str(state / side)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for side in ("a", "b")
    ]
    reports = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            for each in procs:
                each.kill()
            raise AssertionError(f"{command} runs side by side hung past 120 s") from None
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        report = [r for r in lines if "status" in r]  # not sync's notices
        said = any(r["status"] not in DONE[command] for r in report)
        assert proc.returncode == (3 if said else 0), out + err
        reports.append(report)
    return reports


def _race(command: str, sandbox_env: Any, tmp_path: Path) -> list[list[dict[str, Any]]]:
    """Race two runs ``ROUNDS`` times; return every round's two reports (for the loop's tally)."""
    said: list[list[dict[str, Any]]] = []
    # Every request takes a WAN's round trip: both runs look the files up before either's
    # entries land (one process starts up to a second after the other on a loaded machine), so
    # both make an entry for most files and their last looks decide between the two.
    sandbox_env.faults.latency = LATENCY
    for round_ in range(ROUNDS):  # the race is timing (the loop: ROUNDS=20, several copies)
        category = f"Root>{command}Race{round_}"
        sandbox_env.create_category(category)
        folder = tmp_path / f"media{round_}"
        folder.mkdir()
        stem = f"{command}{round_}clip"
        for i in range(6):
            (folder / f"{stem}{i}.mp4").write_bytes(os.urandom(30_000 + i))
        state = tmp_path / f"state{round_}"
        first, second = _run_both(command, folder, category, state)
        said += [first, second]
        live = {str(e["id"]): str(e["name"]) for e in live_entries(sandbox_env)}
        ours = Counter(name for name in live.values() if name.startswith(stem))
        assert ours == Counter(f"{stem}{i}" for i in range(6))  # one entry per file
        done: list[dict[str, str]] = []
        for report in (first, second):
            # a sync that started late plans only what the index does not show of the other's
            assert len(report) == 6 or (command == "sync" and len(report) < 6)
            ok = [r for r in report if r["status"] in DONE[command]]
            dead = [r["entry_id"] for r in ok if r["entry_id"] not in live]
            assert not dead, f"round {round_}: reported entries the server does not hold"
            for line in report:  # anything else: its entry deleted by the other run, said so
                if line not in ok:
                    assert line["status"] == "failed", line
                    said = line["error"] in GONE or "another run is uploading" in line["message"]
                    assert said, line
            done.append({r["path"]: r["entry_id"] for r in ok})
        both = done[0].keys() & done[1].keys()
        assert {p: done[0][p] for p in both} == {p: done[1][p] for p in both}  # they agree
        assert len(done[0].keys() | done[1].keys()) == 6  # each file, reported by a run
    return said


def test_two_uploads_with_their_own_state_agree_on_each_entry_and_report_only_live_ones(
    sandbox_env: Any, tmp_path: Path
) -> None:
    _race("upload", sandbox_env, tmp_path)


def test_two_syncs_with_their_own_state_agree_on_each_entry_and_report_only_live_ones(
    sandbox_env: Any, tmp_path: Path
) -> None:
    _race("sync", sandbox_env, tmp_path)
