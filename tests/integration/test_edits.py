"""Bulk metadata edits under both clients, against the sandbox's ``baseEntry.update`` rules."""

from __future__ import annotations

import pytest

from kaltura_mm import ConfigError
from kaltura_mm.flows.edits import EntryEdit, tag_set
from kaltura_mm.sandbox import Sandbox
from tests.integration.clients import Both, under


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Both:
    return under(request.param, kaltura_sandbox)


def _row(sb: Sandbox, entry_id: str) -> dict[str, object]:
    row = sb.core.store.one("SELECT * FROM entries WHERE id = ?", (entry_id,))
    assert row is not None
    return dict(row)


def test_only_what_differs_is_sent_and_a_rerun_sends_nothing(
    both: Both, kaltura_sandbox: Sandbox
) -> None:
    category = kaltura_sandbox.create_category("Talks")
    a, b, c = kaltura_sandbox.seed_entries(category, 3)
    edits = [
        EntryEdit(entry_id=a, name="Intro", tags="Physics, Lab ,x,physics"),
        EntryEdit(entry_id=b, name="entry 2", description="About B"),  # the name is unchanged
        EntryEdit(entry_id=c, reference_id="ref-c"),
    ]
    updates = kaltura_sandbox.stats.calls[("baseentry", "update")]
    outcomes = both(lambda client: client.update(edits))
    assert [(o.entry_id, o.status) for o in outcomes] == [(a, "done"), (b, "done"), (c, "done")]
    assert outcomes[1].after == {"description": "About B"}  # the name was not sent
    assert kaltura_sandbox.stats.calls[("baseentry", "update")] == updates + 3
    assert _row(kaltura_sandbox, a)["tags"] == "physics, lab"  # the server's own rewrite
    assert (_row(kaltura_sandbox, b)["description"], _row(kaltura_sandbox, c)["reference_id"]) == (
        "About B",
        "ref-c",
    )
    again = both(lambda client: client.update(edits))
    assert {o.status for o in again} == {"already_done"}  # tags compared as the server keeps them
    assert kaltura_sandbox.stats.calls[("baseentry", "update")] == updates + 3


def test_add_remove_and_clear(both: Both, kaltura_sandbox: Sandbox) -> None:
    (entry,) = kaltura_sandbox.seed_entries(None, 1)
    both(
        lambda c: c.update(
            [EntryEdit(entry_id=entry, tags=("keep", "drop"), description="x", reference_id="r1")]
        )
    )
    (outcome,) = both(
        lambda c: c.update(
            [
                EntryEdit(
                    entry_id=entry,
                    add_tags="New",
                    remove_tags="DROP",
                    description="",
                    reference_id="",
                )
            ]
        )
    )
    assert outcome.status == "done"
    assert outcome.before == {"description": "x", "reference_id": "r1", "tags": "keep, drop"}
    row = _row(kaltura_sandbox, entry)
    assert tag_set(str(row["tags"])) == {"keep", "new"}
    assert (row["description"], row["reference_id"]) == (None, None)


def test_dry_run_reports_before_and_after_and_sends_nothing(
    both: Both, kaltura_sandbox: Sandbox
) -> None:
    (entry,) = kaltura_sandbox.seed_entries(None, 1)
    outcomes = both(
        lambda c: c.update(
            [EntryEdit(entry_id=entry, name="New name"), EntryEdit(entry_id="0_nothere")],
            dry_run=True,
        )
    )
    assert [o.status for o in outcomes] == ["would_change", "failed"]
    assert (outcomes[0].before, outcomes[0].after) == ({"name": "entry 1"}, {"name": "New name"})
    assert outcomes[1].error is not None and outcomes[1].error.code == "ENTRY_ID_NOT_FOUND"
    assert kaltura_sandbox.stats.calls[("baseentry", "update")] == 0
    assert _row(kaltura_sandbox, entry)["name"] == "entry 1"


def test_a_refused_value_fails_that_entry_only(both: Both, kaltura_sandbox: Sandbox) -> None:
    a, b = kaltura_sandbox.seed_entries(None, 2)
    outcomes = both(
        lambda c: c.update(
            [EntryEdit(entry_id=a, reference_id="x"), EntryEdit(entry_id=b, name="fine")]
        )
    )
    assert [o.status for o in outcomes] == ["failed", "done"]
    assert outcomes[0].error is not None
    assert outcomes[0].error.code == "PROPERTY_VALIDATION_MIN_LENGTH"


def test_bad_edits_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ConfigError, match="not both"):
        EntryEdit(entry_id="0_a", tags="a", add_tags="b")
    with pytest.raises(ConfigError, match="cannot be empty"):
        EntryEdit(entry_id="0_a", name=" ")


def test_tags_compare_as_the_server_stores_them() -> None:
    assert tag_set("Bio,Lab ,a,bio") == {"bio", "lab"}
    assert tag_set("ÉCOLE, école") == {"École", "école"}  # the server lowers ASCII only
    assert tag_set(["x", "Ab"], admin=True) == {"x", "ab"}
