"""The pytest plugin's fixtures, as a user's test suite would use them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.pytest_plugin import RANDOM_LAG, lag_for


def test_function_fixture_is_a_running_sandbox(kaltura_sandbox: Sandbox) -> None:
    response = httpx.post(
        kaltura_sandbox.service_url + "/api_v3/service/session/action/start",
        json={
            "format": 1,
            "secret": kaltura_sandbox.admin_secret,
            "partnerId": kaltura_sandbox.partner_id,
        },
    )
    assert response.json().startswith("djJ8")


def test_session_fixture_is_shared(kaltura_sandbox_session: Sandbox) -> None:
    category = kaltura_sandbox_session.create_category("Plugin>Shared")
    assert kaltura_sandbox_session.create_category("Plugin>Shared") == category
    assert kaltura_sandbox_session.service_url.startswith("http://127.0.0.1:")


def test_each_test_gets_a_small_random_lag_derived_from_its_id(
    kaltura_sandbox: Sandbox, request: pytest.FixtureRequest
) -> None:
    fixed = request.config.getoption("--kaltura-index-lag")
    expected = lag_for(request.node.nodeid) if fixed is None else fixed
    assert kaltura_sandbox.index.lag == expected
    assert lag_for(request.node.nodeid) == lag_for(request.node.nodeid), "a rerun replays it"
    lags = {lag_for(f"tests/test_x.py::test_{n}") for n in range(50)}
    assert len(lags) > 10 and all(RANDOM_LAG[0] <= lag <= RANDOM_LAG[1] for lag in lags)


@pytest.mark.kaltura_sandbox(index_lag=300)
def test_a_marker_asks_for_minutes_of_lag(kaltura_sandbox: Sandbox) -> None:
    assert kaltura_sandbox.index.lag == 300
    assert kaltura_sandbox.index.max_in_values == 150


@pytest.mark.kaltura_sandbox(kind=True)
def test_a_marker_asks_for_a_kind_sandbox(kaltura_sandbox: Sandbox) -> None:
    assert kaltura_sandbox.index.lag == 0 and kaltura_sandbox.index.max_in_values is None
    kaltura_sandbox.seed_entries(None, 1)
    ks = kaltura_sandbox.ks()
    entry = httpx.post(
        kaltura_sandbox.service_url + "/api_v3/service/baseentry/action/add",
        json={"format": 1, "ks": ks, "entry": {"objectType": "KalturaMediaEntry", "name": "k"}},
    ).json()
    listed = httpx.post(
        kaltura_sandbox.service_url + "/api_v3/service/baseentry/action/list",
        json={"format": 1, "ks": ks, "filter": {"statusIn": "2,7"}},
    ).json()
    assert entry["id"] in [e["id"] for e in listed["objects"]]


@pytest.mark.kaltura_sandbox(index_lag=42, transcode_delay=0)
def test_the_factory_makes_more_sandboxes_with_the_marker_as_defaults(
    kaltura_sandbox_factory: Callable[..., Sandbox],
) -> None:
    first = kaltura_sandbox_factory()
    second = kaltura_sandbox_factory(index_lag=7)
    assert first.index.lag == 42 and second.index.lag == 7
    assert first.service_url != second.service_url
    with pytest.raises(pytest.fail.Exception, match="no_such_option"):
        kaltura_sandbox_factory(no_such_option=1)


def test_the_command_line_option_and_a_failure_report(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(
        "def test_sees_the_lag(kaltura_sandbox):\n"
        "    assert kaltura_sandbox.index.lag == 0\n"
        "def test_fails(kaltura_sandbox):\n"
        "    assert False\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--kaltura-index-lag",
            "0",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    assert "kaltura sandbox" in run.stdout and "index_lag=0.0" in run.stdout
    default = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "fails"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lag = lag_for("test_user.py::test_fails")
    assert f"index_lag={lag!r}" in default.stdout, default.stdout
