"""``ks generate`` and ``ks inspect`` through ``main``: KS round trip, JSON keys, errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from kaltura_mm import ks

Runner = Callable[..., Any]

V1_SAMPLE = (
    "NjVjMDdlZmUxY2VlMGI2YWMyYmZjOTczOTA5ZjhjNDIwMTJmODI3MXwxMDY4MjkyOzEwNjgyOTI7MTQ5MDE5MzIy"
    "NjswOzE0OTAxMDY4MjYuOTc2NDswO3ZpZXc6Kix3aWRnZXQ6MTs7"
)


@pytest.fixture
def partner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KALTURA_PARTNER_ID", "4242")
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "the-admin-secret")


@pytest.mark.usefixtures("partner")
def test_generate_makes_a_ks_the_server_format_accepts(cli: Runner) -> None:
    result = cli(
        "ks",
        "generate",
        "--type",
        "admin",
        "--user",
        "bob",
        "--privileges",
        "list:*",
        "--expiry",
        "600",
    )
    assert result.code == 0
    value = result.out.strip()
    assert value.startswith("djJ8")
    info = ks.inspect(value, "the-admin-secret")
    assert info.verified is True
    assert (info.partner_id, info.user_id, info.privileges) == (4242, "bob", "list:*")
    assert info.session_type is not None and info.session_type.name == "ADMIN"
    left = info.expires_in()
    assert left is not None and 590 < left <= 600


@pytest.mark.usefixtures("partner")
def test_generate_json_and_v1(cli: Runner) -> None:
    record = cli("--json", "ks", "generate").json_lines()[0]
    assert list(record) == ["ks", "partner_id", "type", "user_id", "privileges", "valid_until"]
    assert record["type"] == "USER"
    assert abs(record["valid_until"] - (time.time() + 86400)) < 5
    legacy = cli("ks", "generate", "--v1").out.strip()
    assert ks.inspect(legacy, "the-admin-secret").version == 1


@pytest.mark.usefixtures("partner")
def test_inspect_verifies_and_never_prints_the_ks(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = ks.generate_v2(4242, "the-admin-secret", user_id="carol", privileges="edit:*")
    monkeypatch.setenv("KALTURA_KS", value)
    result = cli("ks", "inspect", "--json")
    assert result.code == 0
    record = result.json_lines()[0]
    assert record["user_id"] == "carol" and record["verified"] is True
    assert value not in result.out + result.err
    wrong = ks.generate_v2(4242, "another-secret")
    refused = cli("ks", "inspect", wrong)
    assert refused.code == 4
    assert "signature does not match" in refused.err


def test_inspect_reads_a_v1_ks_from_stdin_without_secret(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(V1_SAMPLE + "\n"))
    result = cli("ks", "inspect", "-")
    assert result.code == 0
    assert "1068292" in result.out
    assert "view:*,widget:1" in result.out


def test_generate_without_credentials_explains_the_fix(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KALTURA_PARTNER_ID", "4242")
    result = cli("ks", "generate")
    assert result.code == 4
    assert "KALTURA_ADMIN_SECRET" in result.err
    assert "Traceback" not in result.err
    garbage = cli("ks", "inspect", "not a ks!")
    assert garbage.code == 2
    assert "not base64" in garbage.err
