"""``--retries 0`` bounds an upload the rate limiter blocks for ever (issue 18 A): it ends with a
failure and a non-zero exit, its token kept, and ``uploads resume`` finishes it later."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.integration.upload_support import MIB, media

Runner = Callable[..., Any]


def test_a_blocked_upload_under_retries_0_fails_and_can_be_resumed(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 3 * MIB + 9)
    state = str(tmp_path / "state")
    # One uploadToken.upload an hour: the head rides in the create request, every chunk after
    # it is blocked for ever. It used to be paced and sent again for ever, never counted.
    sandbox_env.faults.throttle("uploadToken", "upload", limit=1, window=3600)
    upload = ("upload", str(path), "--chunk-size", "1MiB", "--state-dir", state)
    stopped = cli("--retries", "0", "--json", *upload)
    assert stopped.code != 0
    assert "ACTION_BLOCKED" in stopped.out + stopped.err
    assert sandbox_env.stats.blocked[("uploadtoken", "upload")] >= 1

    sandbox_env.faults.clear()
    resumed = cli("--json", "uploads", "resume", "--all", "--state-dir", state)
    assert resumed.code == 0, resumed.err
    (record,) = [json.loads(line) for line in resumed.out.splitlines()]
    assert record["status"] == "resumed"
    assert sandbox_env.entry_bytes(record["entry_id"]).read_bytes() == path.read_bytes()
