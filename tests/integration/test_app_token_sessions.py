"""App token sessions against the sandbox, under both clients: no admin secret in the client."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import AppTokenError, AsyncClient, Client, Config, InvalidKsError
from kaltura_mm.app_token_ks import AppTokenKs
from kaltura_mm.models import Pager
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry

MODES = ["sync", "async"]


def _token(sb: Sandbox, **fields: Any) -> dict[str, Any]:
    return sb.add_app_token(hash_type=fields.pop("hash_type", "SHA256"), **fields)


def _env(sb: Sandbox, token: dict[str, Any], hash_name: str = "sha256") -> dict[str, str]:
    return {
        "KALTURA_SERVICE_URL": sb.service_url,
        "KALTURA_PARTNER_ID": str(sb.partner_id),
        "KALTURA_APP_TOKEN_ID": token["id"],
        "KALTURA_APP_TOKEN": token["token"],
        "KALTURA_APP_TOKEN_HASH": hash_name,
    }


def _with(mode: str, config: Config, use: Any) -> Any:
    """Run ``use(client)`` (a function returning a Call) under the mode's client."""
    if mode == "sync":
        with Client(config) as client:
            return use(client), client

    async def main() -> Any:
        async with AsyncClient(config) as client:
            return await use(client), client

    return asyncio.run(main())


def _list(client: Any) -> Any:
    return client.call(base_entry.list(pager=Pager(page_size=1)))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hash_name", ["md5", "sha1", "sha256", "sha512"])
def test_from_env_with_an_app_token_works_without_the_admin_secret(
    kaltura_sandbox: Sandbox, mode: str, hash_name: str
) -> None:
    sb = kaltura_sandbox
    token = _token(sb, hash_type=hash_name.upper(), session_type=0, session_user_id="bot")
    config = Config.from_env(_env(sb, token, hash_name))
    assert config.admin_secret is None
    page, client = _with(mode, config, _list)
    assert page.total_count >= 0
    provider = client._ks
    assert isinstance(provider, AppTokenKs)
    info = provider.session
    assert info is not None and info.session_type is not None
    assert info.session_type.name == "USER" and info.user_id == "bot"
    assert f"apptoken:{token['id']}" in (info.privileges or "")


@pytest.mark.parametrize("mode", MODES)
def test_a_wrong_hash_type_is_refused_with_its_code(kaltura_sandbox: Sandbox, mode: str) -> None:
    sb = kaltura_sandbox
    token = _token(sb, hash_type="SHA512")
    config = Config.from_env(_env(sb, token, "sha256"))
    with pytest.raises(AppTokenError) as caught:
        _with(mode, config, _list)
    assert caught.value.code == "INVALID_APP_TOKEN_HASH"
    assert token["token"] not in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_revoked_tokens_session_stops_and_no_new_one_starts(
    kaltura_sandbox: Sandbox, mode: str
) -> None:
    sb = kaltura_sandbox
    token = _token(sb)
    config = Config.from_env(_env(sb, token))

    def revoke_between(client: Any) -> Any:
        if mode == "sync":
            _list(client)
            with Client(config_for_admin(sb)) as admin:
                admin.app_token.delete(token["id"])
            return _list(client)

        async def go() -> Any:
            await _list(client)
            async with AsyncClient(config_for_admin(sb)) as admin:
                await admin.app_token.delete(token["id"])
            return await _list(client)

        return go()

    with pytest.raises(InvalidKsError) as caught:
        _with(mode, config, revoke_between)
    assert caught.value.reason == "LOGOUT"
    with pytest.raises(AppTokenError) as again:
        _with(mode, config, _list)
    assert again.value.code in ("APP_TOKEN_ID_NOT_FOUND", "APP_TOKEN_NOT_ACTIVE")


def config_for_admin(sb: Sandbox) -> Config:
    return Config(
        service_url=sb.service_url, partner_id=sb.partner_id, admin_secret=sb.admin_secret
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_session_past_its_expiry_is_started_again_and_the_call_goes_through(
    kaltura_sandbox: Sandbox, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    sb = kaltura_sandbox
    token = _token(sb, session_duration=600)
    config = Config.from_env(_env(sb, token))

    def across_expiry(client: Any) -> Any:
        if mode == "sync":
            _list(client)
            first = client._ks.current()
            sb.clock.advance(700)  # the server now sees the session expired
            _list(client)
            return first, client._ks.current()

        async def go() -> Any:
            await _list(client)
            first = client._ks.current()
            sb.clock.advance(700)
            await _list(client)
            return first, client._ks.current()

        return go()

    with caplog.at_level(logging.DEBUG, logger="kaltura_mm"):
        (first, second), _ = _with(mode, config, across_expiry)
    assert first and second and first != second
    assert "started a session from the app token" in caplog.text
    assert token["token"] not in caplog.text and first not in caplog.text


def test_the_session_is_capped_by_the_tokens_duration(kaltura_sandbox: Sandbox) -> None:
    sb = kaltura_sandbox
    token = _token(sb, session_duration=600)
    config = Config.from_env(_env(sb, token))
    with Client(config) as client:
        _list(client)
        info = client._ks.session  # type: ignore[attr-defined]
    assert info is not None and info.expiry is not None
    assert 590 <= info.expiry - sb.clock.now() <= 600


def test_a_cassette_of_an_app_token_run_holds_neither_token_nor_hash_nor_ks(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    from kaltura_mm.recording import cassette

    sb = kaltura_sandbox
    token = _token(sb)
    tape = tmp_path / "app_token.yaml"
    config = Config.from_env(_env(sb, token))
    with cassette(tape, partner_id=sb.partner_id, record=True), Client(config) as client:
        recorded = _list(client)
        made = client._ks.session  # type: ignore[attr-defined]
    text = tape.read_text()
    assert "appToken/action/startSession" in text or "apptoken/action/startSession" in text
    assert token["token"] not in text and "tokenHash" not in text
    assert made.ks not in text and "djJ8" not in text
    replay = dict(_env(sb, token), KALTURA_SERVICE_URL="http://127.0.0.1:9")
    config = Config.from_env(replay)
    with cassette(tape, partner_id=sb.partner_id, record=False), Client(config) as client:
        assert _list(client).total_count == recorded.total_count
