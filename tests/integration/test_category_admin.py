"""Creating, renaming, moving and deleting categories under both clients, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from kaltura_mm import CategoryNotFoundError, ConfigError
from kaltura_mm.sandbox import Sandbox
from tests.cli.ground import in_category
from tests.integration.clients import Both, under


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Both:
    return under(request.param, kaltura_sandbox)


def _jobs_done(sb: Sandbox) -> None:
    """Let the server's category batch jobs run (the sandbox runs them when they are due)."""
    sb.clock.advance(2)
    sb.core.promote_ready()
    sb.index.settle()  # and let lists (paths are resolved by listing) see what they did


def _live(sb: Sandbox) -> dict[str, int]:
    rows = sb.core.store.all(
        "SELECT full_name, id FROM categories WHERE partner_id = ? AND status = 2",
        (sb.partner_id,),
    )
    return {str(r["full_name"]): int(r["id"]) for r in rows}


def test_create_makes_every_missing_level_once(both: Both, kaltura_sandbox: Sandbox) -> None:
    kaltura_sandbox.create_category("CI")
    made = both(lambda c: c.categories.create("CI > Smoke>Nightly"))
    assert made.category.full_name == "CI>Smoke>Nightly"
    assert [c.full_name for c in made.created] == ["CI>Smoke", "CI>Smoke>Nightly"]
    ids = _live(kaltura_sandbox)
    assert made.category.id == ids["CI>Smoke>Nightly"]
    # Again at once: the index does not show the new levels yet; the server's DUPLICATE_CATEGORY
    # means "exists", and the id comes from the index as soon as it catches up.
    again = both(lambda c: c.categories.create("CI>Smoke>Nightly"))
    assert again.existed and again.category.id == made.category.id
    assert _live(kaltura_sandbox) == ids


@pytest.mark.kaltura_sandbox(index_lag=600)
def test_create_with_known_ids_needs_no_index(both: Both, kaltura_sandbox: Sandbox) -> None:
    made = both(lambda c: c.categories.create("Ops>Daily"))
    known = {c.full_name: c.id for c in made.created}
    adds = kaltura_sandbox.stats.calls[("category", "add")]
    again = both(lambda c: c.categories.create("Ops>Daily", known=known))
    assert again.existed and again.category.id == made.category.id
    assert kaltura_sandbox.stats.calls[("category", "add")] == adds  # nothing sent to be refused


@pytest.mark.kaltura_sandbox(index_lag=600)
def test_create_gives_up_naming_the_lag(both: Both, kaltura_sandbox: Sandbox) -> None:
    both(lambda c: c.categories.create("Ops"))
    with pytest.raises(ConfigError, match=r"exists .*did not show it within 1 s"):
        both(lambda c: c.categories.create("Ops", wait_for_index=1))


def test_rename_and_move(both: Both, kaltura_sandbox: Sandbox) -> None:
    kaltura_sandbox.create_category("Courses>Bio>Lab")
    kaltura_sandbox.create_category("Archive")
    renamed = both(lambda c: c.categories.rename("Courses>Bio", "Biology, 101"))
    assert renamed.full_name == "Courses>Biology_ 101"  # the server's name rules
    _jobs_done(kaltura_sandbox)  # the batch job renames the sub-category
    moved = both(lambda c: c.categories.move(renamed.id, "Archive"))
    assert moved.full_name == "Archive>Biology_ 101"
    _jobs_done(kaltura_sandbox)
    assert "Archive>Biology_ 101>Lab" in _live(kaltura_sandbox)
    top = both(lambda c: c.categories.move("Archive>Biology_ 101", None))
    assert top.full_name == "Biology_ 101" and top.parent_id == 0
    _jobs_done(kaltura_sandbox)
    with pytest.raises(ConfigError, match="cannot move under itself"):
        both(lambda c: c.categories.move("Biology_ 101", "Biology_ 101>Lab"))


def test_a_pending_move_is_waited_out(both: Both, kaltura_sandbox: Sandbox) -> None:
    kaltura_sandbox.create_category("A>B")
    kaltura_sandbox.create_category("C")
    both(lambda c: c.categories.move("A>B", "C"))  # locks categories until its job ran (1 s)
    renamed = both(lambda c: c.categories.rename("C", "D"))
    assert renamed.full_name == "D"


def test_delete_refuses_a_category_in_use_unless_forced(
    both: Both, kaltura_sandbox: Sandbox
) -> None:
    parent = kaltura_sandbox.create_category("Courses")
    bio = kaltura_sandbox.create_category("Courses>Bio")
    kaltura_sandbox.create_category("Courses>Bio>Lab")
    entries = kaltura_sandbox.seed_entries(bio, 3)
    with pytest.raises(ConfigError) as refused:
        both(lambda c: c.categories.delete("Courses>Bio"))
    message = str(refused.value)
    assert "3 entries" in message and "1 sub-categories" in message
    assert "move to Courses" in message and "force" in message
    assert "Courses>Bio" in _live(kaltura_sandbox)
    gone: Any = both(lambda c: c.categories.delete("Courses>Bio", force=True))
    assert (gone.entries, gone.moved_to.id) == (3, parent)
    assert "Courses>Bio" not in _live(kaltura_sandbox)
    _jobs_done(kaltura_sandbox)  # the batch job moves the links
    assert in_category(kaltura_sandbox, parent) == sorted(entries)
    with pytest.raises(CategoryNotFoundError):
        both(lambda c: c.categories.delete("Courses>Bio"))


def test_delete_an_empty_category(both: Both, kaltura_sandbox: Sandbox) -> None:
    kaltura_sandbox.create_category("Tmp")
    gone = both(lambda c: c.categories.delete("Tmp"))
    assert gone.empty and "Tmp" not in _live(kaltura_sandbox)
