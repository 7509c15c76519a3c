"""KS generation and inspection: round trips and the real samples."""

from __future__ import annotations

import base64

import pytest

from kaltura_mm import ks
from kaltura_mm.errors import ConfigError
from kaltura_mm.models import SessionType
from tests.conftest import load_payload

SECRET = "0123456789abcdef0123456789abcdef"
NOW = 1_700_000_000


def test_v2_round_trip_with_all_fields() -> None:
    token = ks.generate_v2(
        4242,
        SECRET,
        session_type=SessionType.ADMIN,
        user_id="alice@example.com",
        expiry=3600,
        privileges="edit:*,list:*,sview:0_abc/0_def,disableentitlement",
        now=NOW,
    )
    assert token.startswith("djJ8") and len(token) % 4 == 0  # base64 padding kept
    info = ks.inspect(token, SECRET)
    assert info == ks.KsInfo(
        version=2,
        partner_id=4242,
        valid_until=NOW + 3600,
        session_type=SessionType.ADMIN,
        user_id="alice@example.com",
        privileges="edit:*,list:*,sview:0_abc/0_def,disableentitlement",
        verified=True,
    )


def test_v2_layout_matches_the_spec() -> None:
    token = ks.generate_v2(7, SECRET, privileges="*", now=NOW)
    raw = base64.urlsafe_b64decode(token)
    assert raw.startswith(b"v2|7|")
    assert (len(raw) - len(b"v2|7|")) % 16 == 0  # AES blocks, zero padded
    assert ks.inspect(token, SECRET).privileges == "*"  # sent as all:*


def test_v2_without_secret_shows_only_the_partner_and_wrong_secret_fails() -> None:
    token = ks.generate_v2(7, SECRET, now=NOW)
    assert ks.inspect(token) == ks.KsInfo(version=2, partner_id=7)
    assert ks.inspect(token, "another-secret").verified is False


def test_v1_round_trip() -> None:
    token = ks.generate_v1(7, SECRET, user_id="bob", privileges="edit:*", expiry=60, now=NOW)
    info = ks.inspect(token, SECRET)
    assert (info.version, info.partner_id, info.valid_until) == (1, 7, NOW + 60)
    assert (info.user_id, info.privileges, info.verified) == ("bob", "edit:*", True)
    assert ks.inspect(token, "wrong").verified is False


@pytest.mark.parametrize("sample", load_payload("ks-samples.json")["v1"])
def test_real_v1_samples_decode(sample: dict[str, object]) -> None:
    info = ks.inspect(str(sample["ks"]))
    assert info.version == 1
    assert info.partner_id == sample["partnerId"]
    assert info.valid_until == sample["validUntil"]
    assert info.session_type == sample["type"]
    assert info.user_id == sample["userId"]
    assert info.privileges == sample["privileges"]
    assert info.expires_in(now=NOW) is not None and info.expires_in(now=NOW) < 0


@pytest.mark.parametrize("sample", load_payload("ks-samples.json")["v2"])
def test_real_v2_samples_give_the_partner(sample: dict[str, object]) -> None:
    assert ks.inspect(str(sample["ks"])).partner_id == sample["partnerId"]


@pytest.mark.parametrize("bad", ["", "not base64 !!", base64.b64encode(b"no separator").decode()])
def test_garbage_is_a_clear_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="KS"):
        ks.inspect(bad)


def test_generation_refuses_bad_input() -> None:
    with pytest.raises(ConfigError, match="admin secret is empty"):
        ks.generate_v2(1, "")
    with pytest.raises(ConfigError, match="expiry"):
        ks.generate_v2(1, SECRET, expiry=0)
    with pytest.raises(ConfigError, match="partner_id"):
        ks.generate_v2("1", SECRET)  # type: ignore[arg-type]


def test_secret_provider_renews_before_expiry() -> None:
    clock = [float(NOW)]
    provider = ks.SecretKs(7, SECRET, expiry=1000, clock=lambda: clock[0])
    first = provider.current()
    assert provider.current() == first
    clock[0] += 950  # inside the last tenth of the lifetime
    second = provider.current()
    assert second != first
    assert ks.inspect(second, SECRET).valid_until == NOW + 950 + 1000
    assert provider.renew() and provider.current() != second
    assert SECRET not in repr(provider)


def test_fixed_provider() -> None:
    provider = ks.FixedKs("djJ8abc")
    assert provider.current() == "djJ8abc" and provider.renew() is False
    assert "djJ8abc" not in repr(provider)


def test_secret_provider_renews_by_the_expiry_written_in_the_ks() -> None:
    # _e holds whole seconds: made at .9 of a second, the KS ends .9 s sooner than now + expiry.
    clock = [NOW + 0.9]
    provider = ks.SecretKs(7, SECRET, expiry=100, clock=lambda: clock[0])
    first = provider.current()
    written = ks.inspect(first, SECRET).valid_until
    assert written == NOW + 100
    clock[0] = written - 10 + 0.5  # 9.5 s left by the KS: inside the 10 s margin
    assert provider.current() != first


def test_a_provider_given_its_clock_and_salt_makes_the_same_ks_every_run() -> None:
    # A replay (the simulation) must send the same bytes: the salt is the only random part.
    def made() -> str:
        salts = iter([b"s" * 16, b"t" * 16])
        provider = ks.SecretKs(7, SECRET, clock=lambda: NOW, random_bytes=lambda n: next(salts))
        return provider.current()

    assert made() == made()
    assert ks.inspect(made(), SECRET).verified
    admin = SessionType.ADMIN
    assert ks.generate_v2(7, SECRET, session_type=admin, now=NOW, salt=b"s" * 16) == made()
    with pytest.raises(ConfigError, match="16 bytes"):
        ks.generate_v2(7, SECRET, salt=b"short")
