"""Settings precedence (flags > env > profile), and the config file's secret rules."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.commands import profiles
from kaltura_mm.commands.failures import CliError

Runner = Callable[..., Any]


def write_config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


PROFILES = """
default_profile = "prod"

[profiles.prod]
region = "eu"
partner_id = 111
user_id = "ops@example.com"
admin_secret = "prod-secret"

[profiles.test]
service_url = "http://127.0.0.1:9"
partner_id = 222
"""


def test_profile_env_and_flags_in_precedence_order(clean_env: Path) -> None:
    write_config(clean_env, PROFILES)
    env = {"KALTURA_MM_CONFIG": str(clean_env)}
    base = profiles.resolve({}, env)
    assert (base.profile, base.region, base.partner_id) == ("prod", "eu", 111)
    assert base.admin_secret == "prod-secret"
    env["KALTURA_PARTNER_ID"] = "333"
    env["KALTURA_SERVICE_URL"] = "https://kaltura.example.org"
    over = profiles.resolve({}, env)
    assert over.partner_id == 333
    assert over.service_url == "https://kaltura.example.org"
    assert over.region is None  # the env's URL replaces the profile's region
    assert over.sources["partner_id"] == "env"
    flagged = profiles.resolve({"partner_id": "444", "region": "de"}, env)
    assert (flagged.partner_id, flagged.region, flagged.service_url) == (444, "de", None)
    other = profiles.resolve({}, env, profile="test")
    assert other.admin_secret is None and other.partner_id == 333


def test_secrets_are_refused_from_a_file_others_can_read(clean_env: Path) -> None:
    write_config(clean_env, PROFILES, mode=0o644)
    with pytest.raises(CliError) as caught:
        profiles.resolve({}, {"KALTURA_MM_CONFIG": str(clean_env)})
    assert "chmod 600" in caught.value.fix
    # a profile without secrets may be read from a shared file
    shared = profiles.resolve({}, {"KALTURA_MM_CONFIG": str(clean_env)}, profile="test")
    assert shared.partner_id == 222


def test_unknown_profile_and_bad_values_are_explained(clean_env: Path) -> None:
    write_config(clean_env, PROFILES)
    env = {"KALTURA_MM_CONFIG": str(clean_env)}
    with pytest.raises(CliError, match=r"no profile 'staging'.*prod, test"):
        profiles.resolve({}, env, profile="staging")
    with pytest.raises(CliError, match="not a positive number"):
        profiles.resolve({"partner_id": "abc"}, env)
    write_config(clean_env, "[profiles.x]\npartner = 1\n")
    with pytest.raises(CliError, match="unknown keys: partner"):
        profiles.resolve({}, env, profile="x")
    write_config(clean_env, "[profiles\n")
    with pytest.raises(CliError, match="not valid TOML"):
        profiles.resolve({}, env)


def test_settings_repr_hides_secrets() -> None:
    settings = profiles.ConnectionSettings(partner_id=1, admin_secret="hidden-1", ks="hidden-2")
    assert "hidden" not in repr(settings)


def test_bad_profile_is_one_line_and_exit_2(
    cli: Runner, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(clean_env, PROFILES, mode=0o640)
    monkeypatch.setenv("KALTURA_MM_PROFILE", "prod")
    result = cli("ks", "generate")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert "chmod 600" in result.err


def test_admin_secret_is_not_an_option(cli: Runner) -> None:
    result = cli("--admin-secret", "x", "ks", "generate")
    assert result.code == 2
    assert "No such option" in result.err


def test_config_show_names_sources_and_hides_secrets(
    cli: Runner, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(clean_env, PROFILES)
    monkeypatch.setenv("KALTURA_USER_ID", "env-user")
    result = cli("--json", "config", "show")
    assert result.code == 0, result.err
    record = result.json_lines()[0]
    assert record["profile"] == "prod"
    assert (record["region"], record["region_from"]) == ("eu", "profile prod")
    assert (record["user_id"], record["user_id_from"]) == ("env-user", "env")
    assert record["admin_secret"] == "<set>"
    assert "prod-secret" not in result.out
    assert cli("config", "path").out.strip() == str(clean_env)


def test_verbose_logs_redact_the_secret_and_the_ks(cli: Runner, sandbox_env: Any) -> None:
    result = cli("--verbose", "categories")
    assert result.code == 0, result.err
    assert "category.list" in result.err  # debug lines are there
    assert sandbox_env.admin_secret not in result.err
    assert "djJ8" not in result.err
