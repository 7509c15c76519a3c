"""Detach, add, move and detach_where's dry run are exact where ``categoriesIds`` is blind.

A MediaSpace channel has a privacy context, so it never appears in an entry's ``categoriesIds``;
a partner with ``FEATURE_DISABLE_CATEGORY_LIMIT`` gets ``categoriesIds`` null for every entry.
Either way each verb reads the links from ``categoryEntry.list`` and writes only what is not
done yet. The truth is the sandbox's own store. Under ``Client`` and ``AsyncClient``.

The ``mediaspace`` account enforces entitlement: the tool's session is signed as KMC signs its
own (``disableentitlement``), or as KMS signs a user's (``privacycontext:MediaSpace``).
"""

from __future__ import annotations

import pytest

from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.flows.entries import (
    add_to_category,
    detach_entries,
    detach_where,
    get_entries,
    move_entries,
)
from kaltura_mm.flows.listing import EntryQuery
from kaltura_mm.models import SessionType
from kaltura_mm.sandbox import Sandbox
from tests.integration.test_browse_harness import (  # noqa: F401 (the runner fixture)
    Runner,
    admin_config,
    runner_fixture,
)

MEDIASPACE = pytest.mark.kaltura_sandbox(account="mediaspace")
KMC = "disableentitlement"  # what KMC signs: an admin tool sees every category and entry


@pytest.fixture(params=["sync", "async"])
def kmc(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Runner:
    """Return a runner whose session is signed as KMC signs its own, under each client."""
    return Runner(request.param, admin_config(kaltura_sandbox, privileges=KMC))


LINK_DELETE = ("categoryentry", "delete")
LINK_ADD = ("categoryentry", "add")


def linked(sb: Sandbox, category_id: int) -> set[str]:
    """Return the entries with a link (any status but DELETED) to ``category_id``, in the store."""
    rows = sb.core.store.all(
        "SELECT entry_id FROM category_entries WHERE category_id = ? AND status != 3",
        (category_id,),
    )
    return {str(r[0]) for r in rows}


def _statuses(outcomes: list[EntryOutcome]) -> dict[str, str]:
    return {o.entry_id: o.status for o in outcomes}


def _blind(runner: Runner, ids: list[str], category_id: int) -> None:
    """Check the premise: the entries' own categoriesIds do not show ``category_id``."""
    for entry in runner.run(get_entries(ids)).values():
        assert str(category_id) not in (entry.categories_ids or "").split(",")


@MEDIASPACE
def test_detach_from_a_channel_writes_to_its_members_only(
    kmc: Runner, kaltura_sandbox: Sandbox
) -> None:
    channel = kaltura_sandbox.account.channel_id("Private channel")
    ids = kaltura_sandbox.seed_entries(channel, 5)
    _blind(kmc, ids, channel)
    kmc.run(detach_entries(ids[:2], channel))
    kaltura_sandbox.stats.reset()
    outcomes = kmc.run(detach_entries([*ids, "0_nothere0"], channel))
    assert _statuses(outcomes) == {
        **{i: "already_done" for i in ids[:2]},
        **{i: "done" for i in ids[2:]},
        "0_nothere0": "failed",
    }
    assert not linked(kaltura_sandbox, channel) & set(ids)
    assert kaltura_sandbox.stats.calls[LINK_DELETE] == 3
    # the channel and its links; the 3 detaches; the others' existence
    assert kaltura_sandbox.stats.http_requests == 3


@MEDIASPACE
def test_add_to_a_channel_writes_to_the_others_only(kmc: Runner, kaltura_sandbox: Sandbox) -> None:
    account = kaltura_sandbox.account
    channel, archive = account.channel_id("Open channel"), account.category_id("Archive")
    inside = kaltura_sandbox.seed_entries(channel, 2)
    outside = kaltura_sandbox.seed_entries(archive, 2)
    kaltura_sandbox.stats.reset()
    outcomes = kmc.run(add_to_category([*inside, *outside], channel))
    assert _statuses(outcomes) == {
        **{i: "already_done" for i in inside},
        **{i: "done" for i in outside},
    }
    assert linked(kaltura_sandbox, channel) >= {*inside, *outside}
    assert kaltura_sandbox.stats.calls[LINK_ADD] == 2


@MEDIASPACE
def test_move_from_a_channel_to_a_gallery_writes_what_is_left(
    kmc: Runner, kaltura_sandbox: Sandbox
) -> None:
    account = kaltura_sandbox.account
    channel, gallery = account.channel_id("Private channel"), account.gallery_id("Lectures")
    (only_source,) = kaltura_sandbox.seed_entries(channel, 1)
    (only_target,) = kaltura_sandbox.seed_entries(gallery, 1)
    (both,) = kaltura_sandbox.seed_entries(channel, 1)
    kmc.run(add_to_category([both], gallery))
    _blind(kmc, [only_source, both], channel)
    kaltura_sandbox.stats.reset()
    outcomes = kmc.run(move_entries([only_source, only_target, both], channel, gallery))
    assert _statuses(outcomes) == {only_source: "done", only_target: "already_done", both: "done"}
    assert not linked(kaltura_sandbox, channel) & {only_source, only_target, both}
    assert linked(kaltura_sandbox, gallery) >= {only_source, only_target, both}
    assert kaltura_sandbox.stats.calls[LINK_ADD] == 1
    assert kaltura_sandbox.stats.calls[LINK_DELETE] == 2


@pytest.mark.kaltura_sandbox(account="mediaspace", index_lag=60)
def test_detach_where_dry_run_on_a_channel_reads_the_links_not_the_index(
    kmc: Runner, kaltura_sandbox: Sandbox
) -> None:
    channel = kaltura_sandbox.account.channel_id("Private channel")
    ids = kaltura_sandbox.seed_entries(channel, 4)
    kmc.run(detach_entries(ids[:2], channel))  # the index lists them for a minute yet
    query = EntryQuery(category_id=channel)
    planned = _statuses(kmc.iterate(detach_where(query, dry_run=True)))
    assert {i: planned[i] for i in ids} == {
        **{i: "already_done" for i in ids[:2]},
        **{i: "would_change" for i in ids[2:]},
    }
    now = linked(kaltura_sandbox, channel)  # and the preset's own entries, as they are
    assert planned == {i: "would_change" if i in now else "already_done" for i in planned}
    assert now >= set(ids[2:])


def test_a_partner_without_the_category_limit_is_read_exactly(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    kaltura_sandbox.set_partner_feature("FEATURE_DISABLE_CATEGORY_LIMIT")
    lectures = kaltura_sandbox.create_category("Lectures")
    archive = kaltura_sandbox.create_category("Archive")
    ids = kaltura_sandbox.seed_entries(lectures, 4)
    assert all(e.categories_ids is None for e in runner.run(get_entries(ids)).values())
    kaltura_sandbox.stats.reset()
    detached = runner.run(detach_entries(ids[:2], lectures))
    assert _statuses(detached) == {i: "done" for i in ids[:2]}
    added = runner.run(add_to_category(ids, archive))
    assert _statuses(added) == {i: "done" for i in ids}
    moved = runner.run(move_entries(ids, lectures, archive))
    assert _statuses(moved) == {
        **{i: "already_done" for i in ids[:2]},
        **{i: "done" for i in ids[2:]},
    }
    assert linked(kaltura_sandbox, lectures) == set()
    assert linked(kaltura_sandbox, archive) == set(ids)
    assert kaltura_sandbox.stats.calls[LINK_ADD] == 4  # the move added nothing again
    assert kaltura_sandbox.stats.calls[LINK_DELETE] == 4


@MEDIASPACE
def test_a_channel_manager_under_a_kms_session_detaches_exactly(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    # KMS signs a user's session with its privacy context: every entry's categoriesIds is null,
    # and entitlement decides what the user sees and may unlink (alice manages the channel).
    account = kaltura_sandbox.account
    channel = account.channel_id("Private channel")
    ids = kaltura_sandbox.seed_entries(channel, 3)
    alice = Runner(
        runner.mode,
        admin_config(
            kaltura_sandbox,
            session_type=SessionType.USER,
            user_id="alice@example.com",
            privileges="privacycontext:MediaSpace",
        ),
    )
    assert all(e.categories_ids is None for e in alice.run(get_entries(ids)).values())
    kaltura_sandbox.stats.reset()
    outcomes = alice.run(detach_entries([*ids, ids[0]], channel))
    assert _statuses(outcomes) == {i: "done" for i in ids}
    assert not linked(kaltura_sandbox, channel) & set(ids)
    again = alice.run(detach_entries(ids, channel))
    assert _statuses(again) == {i: "already_done" for i in ids}
    assert kaltura_sandbox.stats.calls[LINK_DELETE] == 3
