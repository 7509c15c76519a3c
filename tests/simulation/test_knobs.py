"""The schedules: the kind one turns everything off; seeds draw every knob both ways."""

from __future__ import annotations

import json
import random

import pytest

from simulation.knobs import ModelKnobs, NetworkKnobs, Schedule
from simulation.network import Answer, Network
from tests.simulation.support import Bench, error_code


def test_the_kind_schedule_has_no_unkindness() -> None:
    kind = Schedule.kind()
    assert kind.model == ModelKnobs() and kind.model.index_lag == (0.0, 0.0)
    assert kind.model.rate_limits == () and not kind.model.access_control_total
    network = kind.network
    assert (network.reset, network.lost_answer, network.error_5xx, network.blocked) == (0, 0, 0, 0)


def test_a_seed_draws_the_same_schedule_every_time() -> None:
    assert Schedule.draw(random.Random("s/1")) == Schedule.draw(random.Random("s/1"))


def test_across_seeds_every_knob_is_drawn_both_on_and_off() -> None:
    schedules = [Schedule.draw(random.Random(f"seed/{n}")) for n in range(200)]
    seen = {
        "lag": {s.model.index_lag[1] > 0 for s in schedules},
        "ties": {s.model.tie_order for s in schedules},
        "access control": {s.model.access_control_total for s in schedules},
        "transcoding": {s.model.transcode_delay[1] > 0 for s in schedules},
        "limits": {bool(s.model.rate_limits) for s in schedules},
        "short KS": {s.model.ks_max_expiry < 86_400 for s in schedules},
        "resets": {s.network.reset > 0 for s in schedules},
        "lost answers": {s.network.lost_answer > 0 for s in schedules},
        "5xx": {s.network.error_5xx > 0 for s in schedules},
        "blocked": {s.network.blocked > 0 for s in schedules},
    }
    assert {name: len(values) for name, values in seen.items()} == dict.fromkeys(seen, 2)


def test_a_user_session_gets_the_true_count_when_access_control_is_off() -> None:
    bench = Bench(access_control_total=False)
    category = bench.category("A")
    for index in range(30):
        bench.model.seed_entry(101, f"e{index}", b"", category, 1_600_000_000 + index)
    user = bench.make_ks(session_type=0, user="someone", privileges="list:*")
    page = bench.call(
        "baseentry",
        "list",
        ks=user,
        filter={"categoriesIdsMatchOr": str(category)},
        pager={"pageSize": 10},
    )
    assert page["totalCount"] == 30


def test_the_final_chunk_wait_is_a_knob() -> None:
    bench = Bench(final_chunk_wait=5)
    token = bench.token()["id"]
    bench.chunk(token, b"a" * 10, resume=False, final=False)
    started = bench.clock.now()
    failed = bench.chunk(token, b"z", resume=True, final=True, resume_at=20)
    assert error_code(failed) == "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
    assert bench.clock.now() - started == pytest.approx(4.0)


def test_an_injected_block_refuses_every_call_of_the_request_and_runs_none() -> None:
    bench = Bench()
    net = Network(bench.model, NetworkKnobs(blocked=1.0), random.Random(1))
    entry = {"objectType": "KalturaMediaEntry", "mediaType": 1}
    answer = net.wait_for(net.send(bench.request("baseentry", "add", entry=entry)))
    assert isinstance(answer, Answer) and answer.response is not None
    assert error_code(json.loads(answer.response.body)) == "ACTION_BLOCKED"
    assert bench.model.truth().entries == {}
