"""Regressions found by the reliability suite's bad-input table (``reliability/``).

- a file refused before upload (empty, unreadable) was reported only as ``failed`` with no
  reason anywhere in the table output, and the run ended in exit 1 instead of 2 (bad input);
- a manifest saved by Excel in Windows-1252 or UTF-16 crashed with an internal
  UnicodeDecodeError (exit 1) instead of naming the encoding and the fix;
- a USER KS deleting another user's entry was told only "the KS was refused (rejected)";
- HTTP 413 and 429 answers were told to check the service URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import describe
from kaltura_mm.errors import ApiError, ResponseError

Runner = Callable[..., Any]


@pytest.fixture
def drop(sandbox_env: Any) -> Any:
    sandbox_env.create_category("Root>Drop")
    return sandbox_env


def test_an_empty_file_is_skipped_saying_why(cli: Runner, drop: Any, tmp_path: Path) -> None:
    (tmp_path / "silence.mp4").write_bytes(b"")
    result = cli("upload", str(tmp_path / "silence.mp4"), "-c", "Root>Drop")
    assert result.code == ExitCode.OK  # not a failure a cron job mails about on every run
    assert "silence.mp4" in result.err and "empty (0 bytes)" in result.err


def test_a_skipped_file_does_not_hide_the_others(cli: Runner, drop: Any, tmp_path: Path) -> None:
    (tmp_path / "silence.mp4").write_bytes(b"")
    (tmp_path / "talk.mp4").write_bytes(b"x" * 5000)
    result = cli("--json", "upload", str(tmp_path), "-c", "Root>Drop")
    statuses = {Path(r["path"]).name: r["status"] for r in result.json_lines()}
    assert statuses == {"talk.mp4": "uploaded"}
    skipped = [json.loads(line) for line in result.err.splitlines() if '"skipped"' in line]
    assert [Path(n["path"]).name for n in skipped] == ["silence.mp4"]
    assert result.code == ExitCode.OK


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_a_manifest_not_in_utf8_names_the_encoding(
    cli: Runner, drop: Any, tmp_path: Path, encoding: str
) -> None:
    (tmp_path / "talk.mp4").write_bytes(b"x" * 5000)
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes("path,name\r\ntalk.mp4,Cours d'été\r\n".encode(encoding))
    result = cli("upload", str(manifest), "-c", "Root>Drop")
    assert result.code == ExitCode.BAD_INPUT
    assert "UTF-8" in result.err and "manifest.csv" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


def test_a_user_ks_acting_on_someone_elses_entry_is_told_so() -> None:
    error = ApiError.create(
        "INVALID_KS",
        'Invalid KS "", Error "-4,INVALID_TYPE"',
        {"KSID": "", "ERR_CODE": "-4", "ERR_DESC": "INVALID_TYPE"},
        "baseEntry.delete",
    )
    failure = describe(error)
    assert failure.code == ExitCode.AUTH
    assert "another user" in failure.problem and "admin" in failure.fix


@pytest.mark.parametrize(("status", "advice"), [(413, "--chunk-size"), (429, "rate-limit")])
def test_413_and_429_get_advice_of_their_own(status: int, advice: str) -> None:
    failure = describe(ResponseError("refused", status=status, call="uploadToken.upload"))
    assert failure.code == ExitCode.UNAVAILABLE
    assert advice in failure.line() and "service URL" not in failure.fix
