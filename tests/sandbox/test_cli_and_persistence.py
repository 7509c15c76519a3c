"""``kaltura-mm sandbox serve`` as a user runs it, data-dir persistence, seeding speed."""

from __future__ import annotations

import json
import signal
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


def test_serve_started_with_ctrl_c_ignored_still_stops_on_ctrl_c() -> None:
    """A shell's background job (``kaltura-mm sandbox serve &``) inherits SIGINT ignored; a
    ``kill -INT`` must still stop it (it used to serve on, until a test's 15 s kill)."""
    process = subprocess.Popen(
        [*SERVE, "--json"],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert process.stdout is not None and json.loads(process.stdout.readline())["service_url"]
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


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


def _admin_ks(url: str, info: dict[str, object]) -> str:
    ks: str = httpx.post(
        f"{url}/session/action/start",
        json={"format": 1, "secret": info["admin_secret"], "partnerId": info["partner_id"]},
    ).json()
    return ks


def test_serve_rate_limit_and_index_lag_flags() -> None:
    process, info = _start(
        "--rate-limit", "baseentry.count=2/10s", "--throttle", "baseentry.get=1", "--index-lag", "0"
    )
    try:
        url = f"{info['service_url']}/api_v3/service"
        body = {"format": 1, "ks": _admin_ks(url, info)}
        counts = [httpx.post(f"{url}/baseentry/action/count", json=body).json() for _ in range(3)]
        assert counts[:2] == [0, 0] and counts[2]["code"] == "ACTION_BLOCKED"
        entry = {"objectType": "KalturaMediaEntry", "name": "listed at once"}
        added = httpx.post(f"{url}/baseentry/action/add", json={**body, "entry": entry}).json()
        listed = httpx.post(
            f"{url}/baseentry/action/list", json={**body, "filter": {"statusIn": "7"}}
        ).json()
        assert [e["id"] for e in listed["objects"]] == [added["id"]]
        gets = [
            httpx.post(f"{url}/baseentry/action/get", json={**body, "entryId": added["id"]})
            for _ in range(2)
        ]
        assert gets[0].json()["id"] == added["id"] and gets[1].json()["code"] == "ACTION_BLOCKED"
    finally:
        assert _stop(process) == 0


def test_serve_lags_lists_unless_kind() -> None:
    for flags, expected in [(("--index-lag", "60"), 0), (("--kind",), 1)]:
        process, info = _start(*flags)
        try:
            url = f"{info['service_url']}/api_v3/service"
            body = {"format": 1, "ks": _admin_ks(url, info)}
            entry = {"objectType": "KalturaMediaEntry", "name": "new"}
            httpx.post(f"{url}/baseentry/action/add", json={**body, "entry": entry})
            count = httpx.post(
                f"{url}/baseentry/action/count", json={**body, "filter": {"statusIn": "7"}}
            ).json()
            assert count == expected, flags
        finally:
            assert _stop(process) == 0


def test_cli_rejects_bad_options_with_a_fix() -> None:
    result = CliRunner().invoke(sandbox, ["serve", "--fail", "baseentry.list=2:boom"])
    assert result.exit_code != 0 and "kinds from reset" in result.output
    result = CliRunner().invoke(sandbox, ["serve", "--seed-entries", "3"])
    assert result.exit_code != 0 and "--seed-category" in result.output
    result = CliRunner().invoke(sandbox, ["serve", "--rate-limit", "baseentry.delete=3/soon"])
    assert result.exit_code != 0 and "the window must be seconds" in result.output
    result = CliRunner().invoke(sandbox, ["serve", "--index-lag", "-1"])
    assert result.exit_code != 0 and "--index-lag" in result.output
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
