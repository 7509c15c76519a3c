"""The rate limiter counts as the real server does: fixed windows, every attempt, per sub-call."""

from __future__ import annotations

import click
import pytest

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.cli_values import parse_rate_limit
from kaltura_mm.sandbox.ratelimit import RateRule
from tests.sandbox.helpers import Api, is_error


def _counts(api: Api, times: int) -> list[object]:
    return [api.call("baseEntry", "count") for _ in range(times)]


def _blocked(results: list[object]) -> list[bool]:
    return [is_error(r, "ACTION_BLOCKED") for r in results]


def test_a_window_starts_at_the_first_call_and_ends_whatever_happens(sb: Sandbox, api: Api) -> None:
    sb.faults.throttle("baseEntry", "count", limit=3, window=10)
    assert _blocked(_counts(api, 4)) == [False, False, False, True]
    sb.clock.advance(5)
    assert _blocked(_counts(api, 1)) == [True], "no call ages out of a fixed window"
    sb.clock.advance(4.9)
    assert _blocked(_counts(api, 1)) == [True]
    sb.clock.advance(0.2)
    assert _blocked(_counts(api, 4)) == [False, False, False, True], "a new window, from here"


def test_blocked_calls_are_counted_and_stats_tell_them_apart(sb: Sandbox, api: Api) -> None:
    sb.faults.throttle("baseEntry", "count", limit=2, window=10)
    _counts(api, 5)
    api.call("baseEntry", "list")
    assert sb.stats.calls[("baseentry", "count")] == 5
    assert sb.stats.blocked[("baseentry", "count")] == 3
    assert sb.stats.accepted[("baseentry", "count")] == 2
    assert sb.stats.accepted[("baseentry", "list")] == 1
    assert sb.stats.blocked[("baseentry", "list")] == 0
    sb.stats.reset()
    assert not sb.stats.blocked


def test_each_item_of_a_multirequest_counts_and_is_blocked_on_its_own(
    sb: Sandbox, api: Api
) -> None:
    sb.faults.throttle("baseEntry", "count", limit=2, window=10)
    calls = {str(n): {"service": "baseEntry", "action": "count"} for n in range(1, 5)}
    calls["5"] = {"service": "baseEntry", "action": "list"}
    response = api.http.post("/service/multirequest", json={"format": 1, "ks": api.ks, **calls})
    results = response.json()
    assert results[:2] == [0, 0]
    assert _blocked(results[2:4]) == [True, True]
    assert results[4]["totalCount"] == 0, "the other items still run"
    assert sb.stats.blocked[("baseentry", "count")] == 2


def test_a_key_counts_each_parameter_value_apart(sb: Sandbox, api: Api) -> None:
    a, b = api.new_entry("a")["id"], api.new_entry("b")["id"]
    sb.faults.throttle("baseEntry", "get", limit=2, window=10, key="entryId")
    gets = [api.call("baseEntry", "get", entryId=a) for _ in range(3)]
    assert _blocked(gets) == [False, False, True]
    assert api.call("baseEntry", "get", entryId=b)["id"] == b, "another entry, another counter"
    sb.faults.throttle("baseEntry", "list", limit=0, window=10, key="entryId")
    assert api.call("baseEntry", "list")["objectType"] == "KalturaBaseEntryListResponse", (
        "a call without the key parameter is not limited"
    )


def test_failures_only_counts_failed_calls(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry("there")["id"]
    sb.faults.throttle("baseEntry", "get", limit=2, window=10, failures_only=True)
    assert all(api.call("baseEntry", "get", entryId=entry)["id"] == entry for _ in range(5))
    missing = [api.call("baseEntry", "get", entryId="0_missing") for _ in range(4)]
    assert [is_error(r, "ENTRY_ID_NOT_FOUND") for r in missing] == [True, True, True, False]
    assert is_error(missing[3], "ACTION_BLOCKED")
    assert is_error(api.call("baseEntry", "get", entryId=entry), "ACTION_BLOCKED")


def test_counters_are_per_partner(sb: Sandbox, api: Api) -> None:
    other = sb.add_partner()
    other_api = Api(sb, sb.ks(partner_id=other.partner_id))
    sb.faults.throttle("baseEntry", "count", limit=1, window=10)
    assert _blocked(_counts(api, 2)) == [False, True]
    assert _blocked(_counts(other_api, 1)) == [False]
    other_api.close()


def test_a_rule_can_name_one_partner(sb: Sandbox, api: Api) -> None:
    other = sb.add_partner()
    other_api = Api(sb, sb.ks(partner_id=other.partner_id))
    sb.faults.throttle("baseEntry", "count", limit=0, window=10, partner_id=other.partner_id)
    assert _blocked(_counts(api, 2)) == [False, False]
    assert _blocked(_counts(other_api, 1)) == [True]
    other_api.close()


def test_the_first_matching_rule_applies(sb: Sandbox, api: Api) -> None:
    sb.faults.throttle("baseEntry", "count", limit=1, window=10)
    sb.faults.throttle(None, None, limit=100, window=10)
    assert _blocked(_counts(api, 2)) == [False, True]
    assert sb.faults.rate_limiter.rules[1] == RateRule(None, None, 100, 10)


def test_per_second_keeps_its_meaning_as_a_one_second_window(sb: Sandbox, api: Api) -> None:
    sb.faults.throttle("baseEntry", "count", per_second=3)
    assert sb.faults.rate_limiter.rules == (RateRule("baseentry", "count", 3, 1.0),)
    assert _blocked(_counts(api, 4)) == [False, False, False, True]
    sb.clock.advance(1.0)
    assert _blocked(_counts(api, 1)) == [False]
    sb.faults.clear()
    sb.faults.throttle("baseEntry", "count", per_second=0.5)
    assert sb.faults.rate_limiter.rules == (RateRule("baseentry", "count", 1, 2.0),)


def test_bad_limits_are_refused(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="either per_second or limit"):
        sb.faults.throttle("baseEntry", "count", per_second=1, limit=2)
    with pytest.raises(ValueError, match="positive seconds"):
        sb.faults.throttle("baseEntry", "count", limit=2, window=0)
    with pytest.raises(ValueError, match="per_second must be positive"):
        sb.faults.throttle("baseEntry", "count", per_second=0)


def test_rate_limit_option_values() -> None:
    assert parse_rate_limit("baseentry.delete=30/10s") == RateRule("baseentry", "delete", 30, 10)
    assert parse_rate_limit("baseEntry.delete=3/1s:key=entryId") == RateRule(
        "baseentry", "delete", 3, 1, key="entryId"
    )
    assert parse_rate_limit("*.list=5/500ms:failed-only") == RateRule(
        None, "list", 5, 0.5, failures_only=True
    )
    assert parse_rate_limit("baseentry.delete=30") == RateRule("baseentry", "delete", 30, 10)
    for bad, hint in [
        ("baseentry.delete=many/10s", "whole number"),
        ("baseentry.delete=3/0s", "positive"),
        ("baseentry.delete=3/ten", "seconds"),
        ("baseentry.delete=3/1s:keyz", "key=PARAM"),
        ("baseentry.delete", "SERVICE.ACTION=VALUE"),
    ]:
        with pytest.raises(click.BadParameter, match=hint):
            parse_rate_limit(bad)


def test_a_ks_key_counts_each_session_apart(sb: Sandbox, api: Api) -> None:
    other = Api(sb, sb.ks(user_id="someone-else"))
    sb.faults.throttle("baseEntry", "count", limit=1, window=10, key="ks")
    assert _blocked(_counts(api, 2)) == [False, True]
    assert _blocked(_counts(other, 1)) == [False]
    other.close()
