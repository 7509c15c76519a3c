"""``kaltura-mm replace`` reads ``replacementStatus``: ``--approve``, ``awaiting_approval``, a
failed conversion reported with its cause, ``--ready-timeout`` (issue 16)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import open_tokens
from tests.integration.sync_support import media

Runner = Callable[..., Any]


def _entry(cli: Runner, folder: Path) -> str:
    made = cli("--json", "upload", str(media(folder, "talk.mp4")), "--wait-ready")
    assert made.code == 0, made.err
    return str(made.json_lines()[0]["entry_id"])


def _result(result: Any) -> dict[str, Any]:
    (line,) = [line for line in result.json_lines() if "status" in line]
    return line  # type: ignore[no-any-return]


def test_awaiting_approval_exits_1_with_the_command_then_approve_swaps_it(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    entry_id = _entry(cli, tmp_path)
    sandbox_env.set_replacement_approval(True)
    new = media(tmp_path, "v2.mp4", 150_000)
    waiting = cli("--json", "replace", entry_id, str(new), "--chunk-size", "100kB", "--wait-ready")
    assert waiting.code == 1
    assert _result(waiting)["status"] == "awaiting_approval"
    notices = [json.loads(line) for line in waiting.err.splitlines() if line.startswith("{")]
    (hint,) = [n for n in notices if n.get("notice") == "awaiting_approval"]
    assert f"replace {entry_id}" in hint["message"] and hint["message"].endswith("--approve")
    done = cli("--json", "replace", entry_id, str(new), "--wait-ready", "--approve")
    assert done.code == 0, done.err
    assert _result(done)["status"] == "replaced"
    assert sandbox_env.entry_bytes(entry_id).read_bytes() == new.read_bytes()
    assert open_tokens(sandbox_env) == []


def test_a_failed_conversion_is_reported_failed_with_its_cause(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    entry_id = _entry(cli, tmp_path)
    old = sandbox_env.entry_bytes(entry_id).read_bytes()
    sandbox_env.faults.fail_conversions = True
    failed = cli("--json", "replace", entry_id, str(media(tmp_path, "v2.mp4")), "--wait-ready")
    assert failed.code == 1
    line = _result(failed)
    assert (line["status"], line["error"]) == ("failed", "replacement_failed")
    assert "cancelled" in line["message"] and "old content" in line["message"]
    assert sandbox_env.entry_bytes(entry_id).read_bytes() == old


def test_ready_timeout_bounds_the_wait_and_says_what_it_waited_for(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    entry_id = _entry(cli, tmp_path)
    sandbox_env.core.settings.transcode_delay = 3600
    args = ("--json", "replace", entry_id, str(media(tmp_path, "v2.mp4")), "--wait-ready")
    gave_up = cli(*args, "--ready-timeout", "0.5")
    assert gave_up.code == 1
    line = _result(gave_up)
    assert (line["status"], line["error"]) == ("failed", "replacement_timeout")
    assert "APPROVED_BUT_NOT_READY" in line["message"] and "after 0.5 s" in line["message"]
