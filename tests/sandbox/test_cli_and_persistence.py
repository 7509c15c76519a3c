"""``kaltura-mm sandbox serve`` as a user runs it, data-dir persistence, seeding speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.cli import parse_bandwidth, parse_fail, sandbox
from tests.sandbox.helpers import Api

SERVE = [sys.executable, "-c", "from kaltura_mm.sandbox.cli import sandbox; sandbox()", "serve"]


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    process = subprocess.Popen([*SERVE, "--json", *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, json.loads(line)


def _stop(process: subprocess.Popen[str]) -> int:
    process.terminate()
    return process.wait(timeout=15)


def test_serve_prints_json_and_answers_then_stops_on_sigterm(tmp_path: Path) -> None:
    process, info = _start(
        "--data-dir",
        str(tmp_path / "data"),
        "--seed-category",
        "Demo>A",
        "--seed-entries",
        "5",
        "--fail",
        "baseentry.count=1:http500",
    )
    try:
        assert set(info) == {"service_url", "partner_id", "admin_secret", "user_secret"}
        url = f"{info['service_url']}/api_v3/service"
        ks = httpx.post(
            f"{url}/session/action/start",
            json={
                "format": 1,
                "secret": info["admin_secret"],
                "partnerId": info["partner_id"],
                "type": 2,
            },
        ).json()
        listed = httpx.post(f"{url}/baseentry/action/list", json={"format": 1, "ks": ks}).json()
        assert listed["totalCount"] == 5
        failing = httpx.post(f"{url}/baseentry/action/count", json={"format": 1, "ks": ks})
        assert failing.status_code == 500
    finally:
        assert _stop(process) == 0


def test_data_dir_keeps_secrets_and_content_across_restarts(tmp_path: Path) -> None:
    with Sandbox(data_dir=tmp_path) as first:
        api = Api(first, first.ks())
        entry_id = api.ready_entry(b"persisted bytes")
        secrets = (first.partner_id, first.admin_secret, first.user_secret)
        api.close()
    with Sandbox(data_dir=tmp_path) as second:
        assert (second.partner_id, second.admin_secret, second.user_secret) == secrets
        api = Api(second, second.ks())
        entry = api.call("baseEntry", "get", entryId=entry_id)
        assert httpx.get(entry["downloadUrl"]).content == b"persisted bytes"
        api.close()


def test_cli_rejects_bad_options_with_a_fix() -> None:
    result = CliRunner().invoke(sandbox, ["serve", "--fail", "baseentry.list=2:boom"])
    assert result.exit_code != 0 and "kinds from reset" in result.output
    result = CliRunner().invoke(sandbox, ["serve", "--seed-entries", "3"])
    assert result.exit_code != 0 and "--seed-category" in result.output
    assert parse_bandwidth("10M") == 10 * 2**20 and parse_bandwidth("512k") == 512 * 1024
    assert parse_fail("*.upload=0.5") == (None, "upload", 0.5, ("http503",))


def test_main_cli_registers_the_sandbox_group() -> None:
    import click

    from kaltura_mm.cli import cli

    ctx = click.Context(cli)  # the group loads its commands lazily: ask it, not cli.commands
    assert "sandbox" in cli.list_commands(ctx)
    assert cli.get_command(ctx, "sandbox") is sandbox


def test_seeding_25000_entries_makes_them_listable(sb: Sandbox) -> None:
    category = sb.create_category("Speed")
    ids = sb.seed_entries(category, 25_000)
    assert len(set(ids)) == 25_000
    api = Api(sb, sb.ks())
    f = {"objectType": "KalturaBaseEntryFilter", "categoriesIdsMatchOr": str(category)}
    assert api.call("baseEntry", "count", filter=f) == 25_000
    api.close()


def test_seeding_refuses_an_unknown_category(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        sb.seed_entries(424242, 1)
