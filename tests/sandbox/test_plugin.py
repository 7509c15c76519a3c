"""The pytest plugin's fixtures, as a user's test suite would use them."""

from __future__ import annotations

import httpx

from kaltura_mm.sandbox import Sandbox


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
