"""``auth apptoken create/list/revoke`` and ``auth check`` against the sandbox, end to end."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Runner = Callable[..., Any]


def _create(cli: Runner, *options: str) -> dict[str, Any]:
    result = cli("--json", "auth", "apptoken", "create", *options)
    assert result.code == 0, result.err
    return result.json_lines()[0]  # type: ignore[no-any-return]


def _use_token(monkeypatch: pytest.MonkeyPatch, made: dict[str, Any]) -> None:
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    monkeypatch.setenv("KALTURA_APP_TOKEN_ID", made["id"])
    monkeypatch.setenv("KALTURA_APP_TOKEN", made["token"])
    monkeypatch.setenv("KALTURA_APP_TOKEN_HASH", made["hash_type"].lower())


def test_create_prints_the_token_once_and_list_never(cli: Runner, sandbox_env: Any) -> None:
    made = _create(cli, "--description", "nightly upload", "--hash", "sha512")
    assert len(made["token"]) == 32 and made["id"]
    assert (made["hash_type"], made["session_type"], made["status"]) == ("SHA512", "USER", "ACTIVE")
    listed = cli("--json", "auth", "apptoken", "list")
    assert listed.code == 0
    rows = listed.json_lines()
    assert [r["id"] for r in rows] == [made["id"]]
    assert rows[0]["description"] == "nightly upload"
    assert made["token"] not in listed.out + listed.err
    table = cli("auth", "apptoken", "list")
    assert made["id"] in table.out and made["token"] not in table.out


def test_a_created_token_runs_commands_without_the_admin_secret(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _create(cli, "--user-id", "uploader@example.com")
    _use_token(monkeypatch, made)
    check = cli("--json", "auth", "check")
    assert check.code == 0, check.err
    record = check.json_lines()[0]
    assert record["credential"] == "app_token" and record["app_token_id"] == made["id"]
    assert (record["session_type"], record["user_id"]) == ("USER", "uploader@example.com")
    assert record["lists_entries"] is True and record["warnings"] == []
    assert 0 < record["expires_in"] <= 86400
    listed = cli("--json", "list")
    assert listed.code == 0, listed.err
    assert made["token"] not in check.out + check.err + listed.out + listed.err


def test_check_warns_about_an_admin_session_without_a_role(cli: Runner, sandbox_env: Any) -> None:
    result = cli("--json", "auth", "check")
    assert result.code == 0
    record = result.json_lines()[0]
    assert (record["credential"], record["session_type"], record["role"]) == (
        "admin_secret",
        "ADMIN",
        None,
    )
    assert any("ADMIN session without setrole" in w for w in record["warnings"])
    notices = [json.loads(line) for line in result.err.splitlines()]
    assert notices[0]["notice"] == "warning"
    text = cli("auth", "check")
    assert "kaltura-mm: warning: this is an ADMIN session without setrole" in text.err


def test_revoke_stops_the_token_with_one_line_and_exit_4(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _create(cli)
    revoked = cli("--json", "auth", "apptoken", "revoke", made["id"])
    assert revoked.code == 0 and revoked.json_lines() == [{"id": made["id"], "status": "revoked"}]
    assert cli("--json", "auth", "apptoken", "list").json_lines() == []
    # The server never lists a revoked token (AppTokenPeer's default criteria), --all or not.
    assert cli("--json", "auth", "apptoken", "list", "--all").json_lines() == []
    again = cli("auth", "apptoken", "revoke", made["id"])
    assert again.code == 4 and "revoked already" in again.err
    _use_token(monkeypatch, made)
    refused = cli("list")
    assert refused.code == 4
    lines = refused.err.strip().splitlines()
    assert len(lines) == 1 and "auth apptoken create" in lines[0]
    assert made["token"] not in refused.err


def test_a_wrong_hash_type_names_the_fix(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _create(cli, "--hash", "sha1")
    _use_token(monkeypatch, made)
    monkeypatch.setenv("KALTURA_APP_TOKEN_HASH", "sha256")
    result = cli("--json", "list")
    assert result.code == 4
    error = json.loads(result.err.strip().splitlines()[-1])
    assert error["error"] == "INVALID_APP_TOKEN_HASH"
    assert "KALTURA_APP_TOKEN_HASH" in error["message"]


def test_write_profile_keeps_the_token_in_a_0600_file(
    cli: Runner, sandbox_env: Any, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("auth", "apptoken", "create", "--write-profile", "uploader")
    assert result.code == 0, result.err
    assert stat.S_IMODE(os.stat(clean_env).st_mode) == 0o600
    profile = tomllib.loads(clean_env.read_text())["profiles"]["uploader"]
    assert profile["app_token"] not in result.out + result.err  # written, never printed
    assert profile["app_token_id"] in result.out and profile["app_token_hash"] == "sha256"
    assert profile["partner_id"] == sandbox_env.partner_id
    again = cli("auth", "apptoken", "create", "--write-profile", "uploader")
    assert again.code == 2 and "already has a profile 'uploader'" in again.err
    assert "no token was made" in again.err
    assert len(cli("--json", "auth", "apptoken", "list").json_lines()) == 1
    for name in ("KALTURA_ADMIN_SECRET", "KALTURA_SERVICE_URL", "KALTURA_PARTNER_ID"):
        monkeypatch.delenv(name)
    check = cli("--json", "--profile", "uploader", "auth", "check")
    assert check.code == 0, check.err
    assert check.json_lines()[0]["credential"] == "app_token"


def test_write_profile_refuses_a_config_file_others_can_read(
    cli: Runner, sandbox_env: Any, clean_env: Path
) -> None:
    clean_env.parent.mkdir(parents=True)
    clean_env.write_text("[profiles.old]\npartner_id = 1\n")
    clean_env.chmod(0o644)
    result = cli("auth", "apptoken", "create", "--write-profile", "uploader")
    assert result.code == 2 and "chmod 600" in result.err
    assert cli("--json", "auth", "apptoken", "list").json_lines() == []  # nothing was made
    clean_env.chmod(0o600)
    assert cli("auth", "apptoken", "create", "--write-profile", "uploader").code == 0
    kept = tomllib.loads(clean_env.read_text())["profiles"]
    assert set(kept) == {"old", "uploader"} and kept["old"] == {"partner_id": 1}


def test_an_app_token_beside_an_admin_secret_is_refused_naming_both(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KALTURA_APP_TOKEN_ID", "0_abcdefgh")
    monkeypatch.setenv("KALTURA_APP_TOKEN", "0" * 32)
    result = cli("list")
    assert result.code == 4
    assert "KALTURA_ADMIN_SECRET" in result.err and "KALTURA_APP_TOKEN" in result.err
    assert "0" * 32 not in result.err
    monkeypatch.delenv("KALTURA_APP_TOKEN")
    half = cli("list")
    assert half.code == 4 and "half an app token" in half.err


def test_create_with_expiry_and_session_duration(cli: Runner, sandbox_env: Any) -> None:
    made = _create(cli, "--expiry", "30d", "--session-duration", "2h", "--type", "admin")
    assert made["session_duration"] == 7200 and made["session_type"] == "ADMIN"
    assert made["expiry"] is not None
    bad = cli("auth", "apptoken", "create", "--session-duration", "soon")
    assert bad.code == 2 and "not a duration" in bad.err


def _role_token(cli: Runner, monkeypatch: pytest.MonkeyPatch, preset: str) -> dict[str, Any]:
    made_role = cli("--json", "auth", "role", "create", f"kmm-{preset}", "--preset", preset)
    assert made_role.code == 0, made_role.err
    role = made_role.json_lines()[0]
    token = _create(cli, "--role", f"kmm-{preset}", "--description", preset)
    assert token["role"] == str(role["id"]) and token["session_type"] == "ADMIN"
    _use_token(monkeypatch, token)
    return token


def test_an_uploader_token_uploads_and_may_not_delete(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Root>Lectures")
    token = _role_token(cli, monkeypatch, "uploader")
    check = cli("--json", "auth", "check").json_lines()[0]
    assert check["session_type"] == "ADMIN" and check["role"] == token["role"]
    assert check["warnings"] == [] and check["lists_entries"] is True
    media = tmp_path / "talk.mp4"
    media.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    uploaded = cli("--json", "upload", str(media), "-c", str(category))
    assert uploaded.code == 0, uploaded.err
    entry_id = uploaded.json_lines()[0]["entry_id"]
    again = cli("--json", "upload", str(media), "-c", str(category))
    assert again.code == 0 and again.json_lines()[0]["entry_id"] == entry_id  # found again
    refused = cli("delete", entry_id, "-y")
    assert refused.code == 4, refused.err
    assert "SERVICE_FORBIDDEN" in refused.out  # the entry's own line
    fix = [line for line in refused.err.splitlines() if line.startswith("kaltura-mm: fix:")]
    assert len(fix) == 1 and "baseentry->delete" in fix[0].lower()
    assert "least-privilege" in fix[0] and "app token" in fix[0]


def test_a_reader_token_lists_and_may_not_upload(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Root>Lectures")
    _role_token(cli, monkeypatch, "reader")
    assert cli("--json", "list", "-c", str(category)).code == 0
    media = tmp_path / "talk.mp4"
    media.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    refused = cli("upload", str(media), "-c", str(category))
    assert refused.code == 4, refused.err
    errors = [line for line in refused.err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "may not call uploadtoken->list" in errors[0]
    assert "docs/least-privilege.md" in errors[0]


def test_an_unknown_role_is_refused_before_a_token_is_made(cli: Runner, sandbox_env: Any) -> None:
    result = cli("auth", "apptoken", "create", "--role", "no-such-role")
    assert result.code == 5 and "no role 'no-such-role'" in result.err
    assert cli("--json", "auth", "apptoken", "list").json_lines() == []


def test_check_reads_a_given_ks_and_needs_the_secret_for_a_v2_ones_fields(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = cli("ks", "generate", "--type", "user", "--user", "kim", "--privileges", "list:*")
    monkeypatch.setenv("KALTURA_KS", made.out.strip())
    record = cli("--json", "auth", "check").json_lines()[0]
    assert (record["credential"], record["session_type"], record["user_id"]) == (
        "ks",
        "USER",
        "kim",
    )
    assert record["privileges"] == "list:*" and record["warnings"] == []
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    blind = cli("--json", "auth", "check")
    assert blind.code == 0
    unread = blind.json_lines()[0]
    assert unread["session_type"] is None and unread["lists_entries"] is True
    assert any("cannot be read here" in w for w in unread["warnings"])
    assert made.out.strip() not in blind.out + blind.err


def test_duration_and_profile_text_units() -> None:
    import tomllib as toml

    from kaltura_mm.commands.params import Duration
    from kaltura_mm.commands.profile_file import profile_text

    seconds = [
        Duration().convert(v, None, None) for v in ("3600", "90s", "30m", "12h", "90d", "2w")
    ]
    assert seconds == [3600, 90, 1800, 43200, 7776000, 1209600]
    for bad in ("0", "1h30m", "soon", "-5m", "12 h"):
        with pytest.raises(Exception, match="duration"):
            Duration().convert(bad, None, None)
    text = profile_text("p", {"app_token": 'a"b\\c\u00e9', "partner_id": 7, "region": None})
    assert toml.loads(text) == {"profiles": {"p": {"app_token": 'a"b\\c\u00e9', "partner_id": 7}}}


def test_config_show_names_the_app_token_and_hides_the_token(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KALTURA_APP_TOKEN_ID", "0_abcdefgh")
    monkeypatch.setenv("KALTURA_APP_TOKEN", "f" * 32)
    result = cli("--json", "config", "show")
    record = result.json_lines()[0]
    assert (record["app_token_id"], record["app_token_id_from"]) == ("0_abcdefgh", "env")
    assert record["app_token"] == "<set>" and record["app_token_hash"] is None
    assert "f" * 32 not in result.out


def test_verbose_logs_of_an_app_token_run_redact_the_token_and_every_ks(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _create(cli)
    _use_token(monkeypatch, made)
    result = cli("--verbose", "list")
    assert result.code == 0, result.err
    assert "startSession" in result.err or "apptoken" in result.err.lower()
    assert made["token"] not in result.err and "djJ8" not in result.err


def test_expiry_takes_a_span_a_number_of_seconds_or_a_date() -> None:
    import time

    import click

    from kaltura_mm.commands.apptoken_commands import _expiry

    ctx = click.Context(click.Command("x"))
    now = time.time()
    assert abs(_expiry("90d", ctx) - (now + 90 * 86400)) < 5  # type: ignore[operator]
    assert abs(_expiry("3600", ctx) - (now + 3600)) < 5  # type: ignore[operator]
    assert _expiry("2030-01-01", ctx) == 1893456000
    assert _expiry("1893456000", ctx) == 1893456000
    assert _expiry(None, ctx) is None


@pytest.mark.parametrize("command", [("auth", "check"), ("auth", "apptoken", "list")])
def test_no_shared_budget_holds_for_the_auth_commands_too(
    cli: Runner,
    sandbox_env: Any,
    monkeypatch: pytest.MonkeyPatch,
    own_rate_budget: Path,
    command: tuple[str, ...],
) -> None:
    monkeypatch.setenv("KALTURA_MM_SHARED_BUDGET", "on")
    assert cli("--no-shared-budget", *command).code == 0
    assert not own_rate_budget.exists()  # the flag beats the environment: never opened
    monkeypatch.setenv("KALTURA_MM_SHARED_BUDGET", "off")
    assert cli(*command).code == 0
    assert not own_rate_budget.exists()  # the environment turns it off
    assert cli("--shared-budget", *command).code == 0
    assert own_rate_budget.exists()  # the flag beats the environment the other way too
    own_rate_budget.unlink()
    monkeypatch.delenv("KALTURA_MM_SHARED_BUDGET")
    assert cli(*command).code == 0
    assert own_rate_budget.exists()  # on by default: no flag
