"""Config: URLs, regions, https, environment, redaction."""

from __future__ import annotations

import pytest

from kaltura_mm.config import REGIONS, Config, normalize_service_url
from kaltura_mm.errors import ConfigError


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("https://www.kaltura.com", "https://www.kaltura.com"),
        ("https://www.kaltura.com/api_v3/", "https://www.kaltura.com"),
        ("https://kaltura.example.org/prefix/api_v3", "https://kaltura.example.org/prefix"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9/api_v3", "http://localhost:9"),
        ("http://[::1]:9", "http://[::1]:9"),
        ("eu", "https://api.eu.kaltura.com"),
        ("FRP2", "https://api.de.kaltura.com"),
    ],
)
def test_service_url_forms(given: str, root: str) -> None:
    assert normalize_service_url(given) == root


def test_every_documented_region_is_https() -> None:
    assert {"nvp1", "frp2", "irp2", "sgp2", "cap2", "syp2"} <= set(REGIONS)
    assert all(url.startswith("https://") for url in REGIONS.values())


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("http://www.kaltura.com", "plain http to a remote host"),
        ("mars", "unknown region 'mars'"),
        ("", "service_url is empty"),
        ("ftp://x.org", "not an http"),
    ],
)
def test_bad_service_urls_name_the_fix(given: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        Config(service_url=given)


def test_from_env_reads_every_variable() -> None:
    env = {
        "KALTURA_SERVICE_URL": "https://api.ca.kaltura.com/api_v3",
        "KALTURA_PARTNER_ID": "1234",
        "KALTURA_KS": "djJ8ks",
        "KALTURA_ADMIN_SECRET": "sec",
        "KALTURA_USER_ID": "alice",
    }
    config = Config.from_env(env)
    assert (config.service_url, config.partner_id, config.ks) == (
        "https://api.ca.kaltura.com",
        1234,
        "djJ8ks",
    )
    assert (config.admin_secret, config.user_id) == ("sec", "alice")
    assert Config.from_env({"KALTURA_REGION": "sg"}).service_url == "https://api.sg.kaltura.com"
    assert Config.from_env(env, user_id="bob").user_id == "bob"


def test_from_env_errors_say_where_the_value_came_from() -> None:
    with pytest.raises(ConfigError, match=r"partner_id must be an integer.*KALTURA_"):
        Config.from_env({"KALTURA_PARTNER_ID": "acme"})


def test_secret_without_partner_is_refused() -> None:
    with pytest.raises(ConfigError, match="needs partner_id"):
        Config(admin_secret="sec")


def test_repr_hides_ks_and_secret() -> None:
    config = Config(partner_id=1, ks="djJ8VERYSECRET", admin_secret="CANARY-SECRET")
    assert "VERYSECRET" not in repr(config) and "CANARY" not in repr(config)
    assert "<redacted>" in repr(config)
    assert config.api_url == "https://www.kaltura.com/api_v3"
