"""``kaltura_mm.shard`` and the ``--shard`` selections: each item in exactly one shard, stably."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click
import pytest

from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.shard import ShardType, pick_plan, plan_key
from kaltura_mm.shard import Shard
from kaltura_mm.sync.model import ADD, DELETE, EXTRA, Place, Plan, PlanItem


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_every_key_is_in_exactly_one_shard(count: int) -> None:
    keys = [f"1_{i:05d}" for i in range(500)]
    owners = Counter(
        k for index in range(1, count + 1) for k in Shard(index, count).pick(keys, str)
    )
    assert owners == Counter(keys)
    if count > 1:  # spread, not all in one
        sizes = [len(Shard(index, count).pick(keys, str)) for index in range(1, count + 1)]
        assert min(sizes) > 500 / count / 2


def test_the_hash_is_stable_across_processes_and_pythons() -> None:
    # sha256, never hash(): these values are the same on every machine, forever
    ids = ["0_a", "0_b", "0_c", "0_d", "0_e", "0_f"]
    assert Shard(1, 3).pick(ids, str) == ["0_a", "0_c"]
    assert Shard(2, 3).pick(ids, str) == ["0_b", "0_d", "0_e", "0_f"]
    assert Shard(3, 3).pick(ids, str) == []


@pytest.mark.parametrize(
    ("text", "shard"), [("1/1", Shard(1, 1)), ("2/3", Shard(2, 3)), (" 3/3 ", Shard(3, 3))]
)
def test_k_of_n_is_read(text: str, shard: Shard) -> None:
    assert Shard.parse(text) == shard
    assert str(shard) == text.strip()


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "3", "1/0", "-1/2", "1/2/3", "", "/"])
def test_a_bad_k_of_n_is_refused_saying_the_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"K/N|1 to N"):
        Shard.parse(text)
    with pytest.raises(click.BadParameter):
        ShardType().convert(text, None, None)


def test_a_shard_out_of_range_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="1 to N"):
        Shard(0, 2)


def test_a_sync_item_shards_by_its_key_and_an_extra_by_its_entry_id() -> None:
    item = PlanItem(actions=(ADD,), reference_id="kms-1", relative="a.mp4")
    extra = PlanItem(actions=(EXTRA, DELETE), reference_id="kms-1", entry_id="0_x")
    assert plan_key(item) == "kms-1"
    assert plan_key(extra) == "0_x"  # a duplicate of a key goes by its own entry, as delete's
    with pytest.raises(CliError, match="category to exist"):
        plan_key(PlanItem(actions=(ADD,), relative="a.mp4"))


class _Said:
    def __init__(self) -> None:
        self.notices: list[tuple[str, str, dict[str, Any]]] = []

    def notice(self, kind: str, message: str, **fields: Any) -> None:
        self.notices.append((kind, message, fields))


def test_a_shard_of_a_plan_keeps_its_items_and_the_categories_they_need() -> None:
    new = Place("X>New")
    items = tuple(
        PlanItem(actions=(ADD,), reference_id=f"kms-{i}", relative=f"{i}.mp4", attach=(new,))
        for i in range(12)
    )
    plan = Plan(scope=Place("X", 1), items=items, create=("X>New", "X>Other"))
    parts = []
    for index in (1, 2):
        said = _Said()
        part = pick_plan(said, Shard(index, 2), plan)  # type: ignore[arg-type]
        parts.append({i.reference_id for i in part.items})
        assert part.create == (("X>New",) if part.items else ())  # never X>Other: nobody needs it
        assert said.notices == [
            (
                "shard",
                f"shard {index}/2: {len(part.items)} of 12 items",
                {"shard": f"{index}/2", "items": len(part.items), "total": 12},
            )
        ]
    assert parts[0].isdisjoint(parts[1]) and len(parts[0] | parts[1]) == 12
    assert pick_plan(_Said(), None, plan) is plan  # type: ignore[arg-type]
