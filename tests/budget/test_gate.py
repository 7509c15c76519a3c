"""The gate the clients pass every send through, and where the budget lives."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.budget import Gate, Key, StoreBudget, budget_from_env, budget_wanted, open_budget
from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.errors import ConfigError
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.services import base_entry
from kaltura_mm.testing import ScriptedKaltura, api_error

SERVER = "https://kaltura.example"
BLOCKED = api_error("ACTION_BLOCKED", "blocked")


def _key(action: str) -> Key:
    return Key(SERVER, "100", "baseentry", action)


async def _async_get(script: ScriptedKaltura, shared: bool, config: dict[str, Any]) -> str:
    transport = script.async_transport()
    async with AsyncClient(http_transport=transport, shared_budget=shared, **config) as client:
        entry = await client.call(base_entry.get("0_a"))
    return str(entry.id)


def test_blocked_items_of_a_multirequest_teach_their_own_action(tmp_path: Path) -> None:
    budget = open_budget(tmp_path / "b.sqlite3", window=10.0)  # the window told, not learned
    gate = Gate(lambda: budget, SERVER + "/", "100")
    batch = MultiRequest(paced=True)
    for entry_id in ("0_a", "0_b", "0_c"):
        batch.add(base_entry.delete(entry_id))
    batch.add(base_entry.get("0_d"))
    wait, ticket = gate.before(batch)
    assert wait == 0 and ticket is not None
    assert dict(ticket.charges) == {_key("delete"): 3, _key("get"): 1}
    gate.after(batch, ticket, json.dumps([BLOCKED, None, BLOCKED, {"id": "0_d"}]).encode())
    assert gate.known("baseEntry", "delete") == (1, 10.0)  # of 3 charged, 1 ran
    assert gate.known("baseEntry", "get") is None
    wait, ticket = gate.before(Call(service="baseEntry", action="delete"))
    assert wait > 9 and ticket is None  # the window that blocked them has not ended
    gate.close()


def test_a_blocked_single_call_teaches_its_action(tmp_path: Path) -> None:
    gate = Gate(lambda: open_budget(tmp_path / "b.sqlite3", window=10.0), SERVER, "100")
    call = base_entry.get("0_a")
    _, ticket = gate.before(call)
    assert ticket is not None
    gate.after(call, ticket, json.dumps(BLOCKED).encode())
    assert gate.known("baseEntry", "get") == (1, 10.0)


def test_with_no_window_told_a_block_paces_nothing_until_a_run_learned_the_window(
    tmp_path: Path,
) -> None:
    budget = open_budget(tmp_path / "b.sqlite3")
    learner, other = (Gate(lambda: budget, SERVER, "100") for _ in range(2))
    batch = MultiRequest(paced=True)
    for entry_id in ("0_a", "0_b"):
        batch.add(base_entry.delete(entry_id))
    _, ticket = learner.before(batch)
    assert ticket is not None
    learner.after(batch, ticket, json.dumps([None, BLOCKED]).encode())
    assert learner.known("baseEntry", "delete") == (1, 0.0)  # the allowance, no window yet
    assert other.known("baseEntry", "delete") is None  # the window is not known: no pacing
    assert learner.before(batch)[1] is not None  # the learner goes on (its own pacing)...
    wait, held = other.before(batch)
    assert held is None and 0 < wait < 1  # ...the others' paced batches wait for it
    assert learner.known("baseEntry", "delete", (3, 1.0)) == (3, 1.0)  # what the run learned
    assert other.known("baseEntry", "delete") == (3, 1.0)  # every process's now
    wait, _ = other.before(base_entry.delete("0_c"))
    assert 0 < wait <= 1.2  # spent over the learned 1-s window (widened), not 10 s
    learner.close()


def test_a_sandbox_started_again_on_the_same_port_learns_its_own_limits(tmp_path: Path) -> None:
    budget = open_budget(tmp_path / "b.sqlite3", window=10.0)
    old = Gate(lambda: budget, SERVER, "100", secret="a" * 32)
    call = base_entry.get("0_a")
    _, ticket = old.before(call)
    assert ticket is not None
    old.after(call, ticket, json.dumps(BLOCKED).encode())
    assert old.known("baseEntry", "get") == (1, 10.0)
    new = Gate(lambda: budget, SERVER, "100", secret="b" * 32)  # fresh partner secrets
    assert new.known("baseEntry", "get") is None
    assert new.before(call)[0] == 0  # not held by the old one's block
    assert "a" * 12 not in repr(old.key("baseEntry", "get"))  # a fingerprint, not the secret
    old.close()


def test_an_unusable_budget_lets_requests_through_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("not a folder")
    gate = Gate(lambda: open_budget(tmp_path / "file" / "b.sqlite3"), SERVER, "100")
    with caplog.at_level(logging.WARNING, logger="kaltura_mm.client"):
        assert gate.before(base_entry.get("0_a"))[0] == 0  # sent at once, as with no budget
    assert gate.budget is None
    assert "the shared rate budget is off for this client" in caplog.text


def test_the_environment_says_where_the_budget_lives(tmp_path: Path, postgres_url: str) -> None:
    file = tmp_path / "b.sqlite3"
    assert budget_from_env({"KALTURA_MM_SHARED_BUDGET": "off"}) is None
    assert budget_wanted({}) and not budget_wanted({"KALTURA_MM_SHARED_BUDGET": "off"})
    assert budget_wanted({"KALTURA_MM_SHARED_BUDGET": "on"})  # on by default, and when asked
    with pytest.raises(ConfigError, match="KALTURA_MM_SHARED_BUDGET must be on or off"):
        budget_wanted({"KALTURA_MM_SHARED_BUDGET": "sometimes"})
    on_file = budget_from_env({"KALTURA_MM_BUDGET_FILE": str(file)})
    assert isinstance(on_file, StoreBudget) and on_file.store.where == str(file)
    on_file.close()
    shared = budget_from_env({"KALTURA_MM_STORE": postgres_url, "KALTURA_MM_BUDGET_FILE": "x"})
    assert isinstance(shared, StoreBudget) and shared.store.where.startswith("postgresql://")
    assert "password" not in repr(shared)
    shared.close()
    with pytest.raises(ConfigError, match="KALTURA_MM_RATE_WINDOW must be a positive"):
        budget_from_env({"KALTURA_MM_RATE_WINDOW": "soon"})


@pytest.mark.usefixtures("shared_budget_on")
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_client_shares_what_it_learns_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    file = tmp_path / "shared.sqlite3"
    monkeypatch.setenv("KALTURA_MM_BUDGET_FILE", str(file))
    monkeypatch.setenv("KALTURA_MM_RATE_WINDOW", "0.2")  # the scripted server's window
    entry = {"objectType": "KalturaMediaEntry", "id": "0_a", "name": "a"}
    for shared in (False, True):
        script = ScriptedKaltura(("baseEntry.get", BLOCKED), ("baseEntry.get", entry))
        config = {"service_url": SERVER, "partner_id": 100, "ks": "a-ks"}
        if kind == "sync":
            with Client(http_transport=script.transport(), shared_budget=shared, **config) as c:
                assert c.call(base_entry.get("0_a")).id == "0_a"
        else:
            assert asyncio.run(_async_get(script, shared, config)) == "0_a"
        if not shared:
            assert not file.exists()
    budget = open_budget(file)
    limit = budget.limit(_key("get"))
    assert limit is not None and limit.calls == 1 and limit.window == 0.2
    budget.close()


def test_a_paced_batch_is_sized_only_after_another_clients_learning(tmp_path: Path) -> None:
    budget = open_budget(tmp_path / "b.sqlite3")  # the window not told: learned
    first, other = (Gate(lambda: budget, SERVER, "100") for _ in range(2))
    assert other.waits("baseEntry", "delete") == 0  # nothing learned, no one learning
    rounds = MultiRequest(paced=True)  # the first client's first round, in flight
    for entry_id in ("0_a", "0_b", "0_c"):
        rounds.add(base_entry.delete(entry_id))
    wait, ticket = first.before(rounds)
    assert wait == 0 and ticket is not None
    # a round sized now would go out after the first one's block, sized for no known limit
    assert other.waits("baseEntry", "delete") > 0
    assert first.waits("baseEntry", "delete") == 0  # the learner itself goes on
    first.after(rounds, ticket, json.dumps([None, BLOCKED, BLOCKED]).encode())
    assert other.waits("baseEntry", "delete") > 0  # the first one learns the window
    first.known("baseEntry", "delete", (1, 10.0))  # ...and offers it
    assert other.waits("baseEntry", "delete") == 0
    assert other.known("baseEntry", "delete") == (1, 10.0)
    first.close()
