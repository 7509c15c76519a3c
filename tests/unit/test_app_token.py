"""App token sessions, pure: the hash, the two calls, the provider, minting in the runtime."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from kaltura_mm.app_token_ks import AppTokenKs
from kaltura_mm.enums import AppTokenHashType, SessionType
from kaltura_mm.errors import ApiError, AppTokenError, ConfigError, InvalidKsError
from kaltura_mm.flows.app_session import app_token_session
from kaltura_mm.ks import token_hash
from kaltura_mm.models import AppToken, AppTokenParams, MediaEntry, SessionInfo, WidgetSession
from kaltura_mm.protocol import wire
from kaltura_mm.protocol.calls import Call
from kaltura_mm.services import app_token, base_entry, session
from kaltura_mm.testing import ScriptedKaltura, answering, drive

TOKEN = "0123456789abcdef0123456789abcdef"
WIDGET_KS = "djJ8MTIzfHdpZGdldA=="


def _sent(call: Call[Any]) -> dict[str, Any]:
    request = wire.encode_call(call, wire.Session(ks="djJ8Y2xpZW50", client_tag="t"))
    return json.loads(b"".join(s for s in request.body if isinstance(s, bytes)))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("kind", "name"),
    [("sha256", "sha256"), ("SHA1", "sha1"), ("md5", "md5"), (AppTokenHashType.SHA512, "sha512")],
)
def test_the_hash_is_hex_of_hash_of_widget_ks_then_token(kind: Any, name: str) -> None:
    expected = hashlib.new(name, (WIDGET_KS + TOKEN).encode()).hexdigest()
    assert token_hash(WIDGET_KS, TOKEN, kind) == expected


def test_a_known_sha256_hash() -> None:
    # printf %s 'abc' 'def' | sha256sum
    assert token_hash("abc", "def", "sha256") == (
        "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721"
    )


def test_an_unknown_hash_type_or_an_empty_token_is_refused() -> None:
    with pytest.raises(ConfigError, match="md5, sha1, sha256, sha512"):
        token_hash(WIDGET_KS, TOKEN, "sha3")
    with pytest.raises(ConfigError, match="KALTURA_APP_TOKEN"):
        token_hash(WIDGET_KS, " ", "sha256")


def test_start_session_is_sent_with_the_widget_ks_and_the_hash_never_the_token() -> None:
    call = app_token.start_session("0_tok", "h" * 64, WIDGET_KS, expiry=600, user_id="bot")
    sent = _sent(call)
    assert (call.service, call.action) == ("appToken", "startSession")
    assert sent["ks"] == WIDGET_KS  # not the client's KS
    assert sent["id"] == "0_tok" and sent["tokenHash"] == "h" * 64
    assert sent["expiry"] == 600 and sent["userId"] == "bot"
    assert "type" not in sent and "sessionPrivileges" not in sent
    assert TOKEN not in json.dumps(sent)


def test_start_widget_session_needs_no_ks() -> None:
    call = session.start_widget_session("_123")
    sent = _sent(call)
    assert (call.service, call.action, sent["widgetId"]) == (
        "session",
        "startWidgetSession",
        "_123",
    )
    assert "ks" not in sent


def test_add_sends_the_hash_type_as_the_server_spells_it() -> None:
    call = app_token.add(AppTokenParams(hash_type="sha256", session_privileges="setrole:7"))
    sent = _sent(call)["appToken"]
    assert sent["hashType"] == "SHA256" and sent["sessionPrivileges"] == "setrole:7"
    assert sent["objectType"] == "KalturaAppToken" and not call.idempotent


def test_an_app_tokens_repr_never_shows_the_token() -> None:
    assert TOKEN not in repr(AppToken(id="0_t", token=TOKEN))
    assert TOKEN not in repr(AppTokenKs(1, "0_t", TOKEN))
    assert "ks-value" not in repr(SessionInfo(ks="ks-value"))


def _server(now: float, lifetime: int = 3600, log: list[Call[Any]] | None = None) -> Any:
    """A fake Kaltura that starts sessions from TOKEN (sha256) and serves baseEntry.get."""
    minted = [0]

    def handle(call: Call[Any]) -> Any:
        if log is not None:
            log.append(call)
        if call.action == "startWidgetSession":
            return WidgetSession(partner_id=1, ks=WIDGET_KS)
        if call.action == "startSession":
            if call.params["tokenHash"] != token_hash(WIDGET_KS, TOKEN, "sha256"):
                raise ApiError.create("INVALID_APP_TOKEN_HASH", "Invalid application token hash")
            minted[0] += 1
            return SessionInfo(
                ks=f"djJ8minted{minted[0]}",
                session_type=SessionType.USER,
                expiry=int(now) + lifetime,
            )
        return MediaEntry(id=call.params["entryId"])

    return handle


def test_the_flow_starts_a_session_in_two_calls() -> None:
    calls: list[Call[Any]] = []
    flow = app_token_session(1, "0_tok", TOKEN, "sha256", expiry=900)
    driven = drive(flow, answering(_server(0, log=calls)), ks=None)
    assert driven.result.ks == "djJ8minted1"
    assert [c.action for c in calls] == ["startWidgetSession", "startSession"]
    assert calls[0].params["widgetId"] == "_1" and calls[1].params["expiry"] == 900


def test_a_client_call_first_starts_a_session_then_carries_it() -> None:
    kaltura = ScriptedKaltura(
        ("session.startWidgetSession", WidgetSession(ks=WIDGET_KS)),
        ("appToken.startSession", SessionInfo(ks="djJ8minted", expiry=10**10)),
        ("baseEntry.get", MediaEntry(id="0_a")),
        ("baseEntry.get", MediaEntry(id="0_b")),
    )
    provider = AppTokenKs(1, "0_tok", TOKEN)

    def two_gets() -> Any:
        first = yield base_entry.get("0_a")
        second = yield base_entry.get("0_b")
        return first.id, second.id

    assert drive(two_gets(), kaltura, ks=provider).result == ("0_a", "0_b")
    assert kaltura.done  # one session for both calls
    assert kaltura.params(1)["tokenHash"] == token_hash(WIDGET_KS, TOKEN, "sha256")
    assert kaltura.params(2)["ks"] == kaltura.params(3)["ks"] == "djJ8minted"
    assert all(TOKEN.encode() not in body for body in kaltura.bodies)


def test_calls_in_flight_together_start_one_session() -> None:
    calls: list[Call[Any]] = []
    provider = AppTokenKs(1, "0_tok", TOKEN, clock=lambda: 0.0)
    from kaltura_mm.runtime.effects import interleave

    def many() -> Any:
        def get(entry_id: str) -> Any:
            entry = yield base_entry.get(entry_id)
            return entry.id

        return (yield from interleave([get(f"0_{n}") for n in range(6)], limit=6))

    driven = drive(many(), answering(_server(0, log=calls)), ks=provider)
    assert [c.action for c in calls].count("startSession") == 1
    assert len(driven.result) == 6


def test_a_session_is_started_again_before_it_ends() -> None:
    now = [0.0]
    calls: list[Call[Any]] = []
    provider = AppTokenKs(1, "0_tok", TOKEN, clock=lambda: now[0])
    handler = answering(_server(0, lifetime=1000, log=calls))
    drive(_get("0_a"), handler, ks=provider)
    now[0] = 850.0  # more than a tenth of the lifetime left: the same session
    drive(_get("0_a"), handler, ks=provider)
    assert [c.action for c in calls].count("startSession") == 1
    now[0] = 901.0  # less than a tenth left: a fresh one first
    drive(_get("0_a"), handler, ks=provider)
    assert [c.action for c in calls].count("startSession") == 2
    assert provider.current() == "djJ8minted2"


def test_an_expired_answer_starts_a_fresh_session_and_sends_the_call_again() -> None:
    expired = InvalidKsError("INVALID_KS", "Invalid KS", {"KSID": "EXPIRED", "ERR_CODE": "-1"})
    kaltura = ScriptedKaltura(
        ("session.startWidgetSession", WidgetSession(ks=WIDGET_KS)),
        ("appToken.startSession", SessionInfo(ks="djJ8one", expiry=10**10)),
        ("baseEntry.get", expired),
        ("session.startWidgetSession", WidgetSession(ks=WIDGET_KS)),
        ("appToken.startSession", SessionInfo(ks="djJ8two", expiry=10**10)),
        ("baseEntry.get", MediaEntry(id="0_a")),
    )
    provider = AppTokenKs(1, "0_tok", TOKEN)
    assert drive(_get("0_a"), kaltura, ks=provider).result == "0_a"
    assert kaltura.done and kaltura.params(-1)["ks"] == "djJ8two"


@pytest.mark.parametrize(
    "code", ["APP_TOKEN_ID_NOT_FOUND", "APP_TOKEN_NOT_ACTIVE", "INVALID_APP_TOKEN_HASH"]
)
def test_a_refused_token_fails_the_call_once_for_all_calls_waiting(code: str) -> None:
    calls: list[Call[Any]] = []

    def handle(call: Call[Any]) -> Any:
        calls.append(call)
        if call.action == "startWidgetSession":
            return WidgetSession(ks=WIDGET_KS)
        raise ApiError.create(code, "refused")

    provider = AppTokenKs(1, "0_tok", TOKEN)
    from kaltura_mm.runtime.effects import interleave

    def many() -> Any:
        return (yield from interleave([_get(f"0_{n}") for n in range(4)], limit=4))

    outcomes = drive(many(), answering(handle), ks=provider).result
    assert len(outcomes) == 4
    for outcome in outcomes:
        assert isinstance(outcome, AppTokenError) and outcome.code == code
        assert TOKEN not in str(outcome)
    assert [c.action for c in calls] == ["startWidgetSession", "startSession"]


def _get(entry_id: str) -> Any:
    entry = yield base_entry.get(entry_id)
    return entry.id


def test_half_an_app_token_or_one_beside_an_admin_secret_is_refused() -> None:
    from kaltura_mm.config import Config

    with pytest.raises(ConfigError, match="KALTURA_APP_TOKEN"):
        Config(partner_id=1, app_token_id="0_t")
    with pytest.raises(ConfigError, match="unset KALTURA_ADMIN_SECRET"):
        Config(partner_id=1, app_token_id="0_t", app_token=TOKEN, admin_secret="s")
    with pytest.raises(ConfigError, match="partner_id"):
        Config(app_token_id="0_t", app_token=TOKEN)
    with pytest.raises(ConfigError, match="sha512"):
        Config(partner_id=1, app_token_id="0_t", app_token=TOKEN, app_token_hash="sha3")


def test_from_env_reads_the_app_token_and_picks_its_provider() -> None:
    from kaltura_mm.client.base import provider_for
    from kaltura_mm.config import Config

    env = {
        "KALTURA_PARTNER_ID": "12",
        "KALTURA_APP_TOKEN_ID": "0_t",
        "KALTURA_APP_TOKEN": TOKEN,
        "KALTURA_APP_TOKEN_HASH": "sha1",
    }
    config = Config.from_env(env)
    assert config.app_token_hash is AppTokenHashType.SHA1
    assert TOKEN in config.secrets and TOKEN not in repr(config)
    provider = provider_for(config)
    assert isinstance(provider, AppTokenKs) and provider.token_id == "0_t"
    assert provider.hash_type is AppTokenHashType.SHA1


def test_cassettes_keep_neither_the_token_nor_its_hash() -> None:
    from kaltura_mm.recording import _scrub_value, scrub_body

    answer = {"objectType": "KalturaAppToken", "id": "0_t", "token": TOKEN}
    assert _scrub_value(answer, None) == {"objectType": "KalturaAppToken", "id": "0_t"}
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": "0_upload"}
    assert _scrub_value(resource, None) == resource  # an upload token id is kept
    body = json.dumps({"id": "0_t", "tokenHash": "ab" * 32, "ks": WIDGET_KS}).encode()
    assert json.loads(scrub_body(body, "application/json", None)) == {"id": "0_t"}
