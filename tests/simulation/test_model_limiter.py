"""The model's rate limiter, as ``KalturaResponseCacher::rateLimit`` counts: fixed windows."""

from __future__ import annotations

import json

from simulation.http import json_request
from simulation.knobs import RateRule
from tests.simulation.support import URL, Bench, error_code


def _gets(bench: Bench, count: int, entry_id: str) -> list[str | None]:
    return [error_code(bench.call("baseentry", "get", entryId=entry_id)) for _ in range(count)]


def test_the_31st_call_of_a_30_per_10s_window_is_blocked_until_the_window_ends() -> None:
    bench = Bench(rate_limits=(RateRule("baseentry", "get", 30, 10.0),))
    entry = bench.entry()["id"]
    assert _gets(bench, 30, entry) == [None] * 30
    assert _gets(bench, 5, entry) == ["ACTION_BLOCKED"] * 5
    bench.advance(9.9)
    assert _gets(bench, 1, entry) == ["ACTION_BLOCKED"]  # a fixed window, not a sliding rate
    bench.advance(0.1)
    assert _gets(bench, 30, entry) == [None] * 30  # a new window began
    assert bench.state.limiter.blocked["baseentry.get"] == 6
    assert bench.state.limiter.accepted["baseentry.get"] == 60


def test_blocked_calls_count_in_the_window() -> None:
    bench = Bench(rate_limits=(RateRule("baseentry", "get", 3, 1.0),))
    entry = bench.entry()["id"]
    assert _gets(bench, 5, entry) == [None, None, None, "ACTION_BLOCKED", "ACTION_BLOCKED"]
    bench.advance(1.0)
    assert _gets(bench, 4, entry) == [None, None, None, "ACTION_BLOCKED"]


def test_each_item_of_a_multirequest_counts_and_is_blocked_on_its_own() -> None:
    bench = Bench(rate_limits=(RateRule("baseentry", "get", 3, 10.0),))
    entry = bench.entry()["id"]
    items = {
        str(n): {"service": "baseentry", "action": "get", "entryId": entry} for n in range(1, 6)
    }
    items["2"] = {"service": "category", "action": "list"}  # another action: not limited
    body = bench.run(
        json_request(URL, "multirequest", "null", {"ks": bench.ks, "format": 1, **items})
    )
    codes = [error_code(item) for item in json.loads(body.body)]
    assert codes == [None, None, None, None, "ACTION_BLOCKED"]


def test_a_keyed_rule_counts_each_key_apart() -> None:
    bench = Bench(rate_limits=(RateRule("baseentry", "get", 2, 10.0, key="entryId"),))
    first, second = bench.entry("a")["id"], bench.entry("b")["id"]
    assert _gets(bench, 3, first) == [None, None, "ACTION_BLOCKED"]
    assert _gets(bench, 2, second) == [None, None]
