"""Real accounts in the model, from the spec (4.5, 13): privacy contexts, the category-limit
feature, USER sessions and other users' entries."""

from __future__ import annotations

import json
from typing import Any

from simulation.accounts import DISABLE_CATEGORY_LIMIT, REFERENCE_MODIFY
from simulation.invariants import Checker
from simulation.model.state import BASE_USER_SESSION
from tests.simulation.support import ADMIN_SECRET, PARTNER, USER_SECRET, Bench, error_code

ME, OTHER = "me@example.edu", "other@example.edu"


def _bench(features: frozenset[str] = frozenset(), editors: tuple[str, ...] = ()) -> Bench:
    bench = Bench()
    roles = {user: BASE_USER_SESSION | {REFERENCE_MODIFY} for user in editors}
    bench.model.add_partner(PARTNER, ADMIN_SECRET, USER_SECRET, features, roles)
    return bench


def _as(bench: Bench, user: str, privileges: str = "") -> str:
    return bench.make_ks(session_type=0, user=user, privileges=privileges)


def _link(bench: Bench, entry_id: str, category_id: int, ks: str | None = None) -> Any:
    link = {"entryId": entry_id, "categoryId": category_id}
    return bench.call("categoryentry", "add", categoryEntry=link, ks=ks or bench.ks)


def _links(bench: Bench, entry_id: str) -> list[int]:
    found = bench.call("categoryentry", "list", filter={"entryIdEqual": entry_id})
    return [link["categoryId"] for link in found["objects"]]


def _entry(bench: Bench, ks: str, **fields: Any) -> Any:
    entry = {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "clip", **fields}
    return bench.call("baseentry", "add", entry=entry, ks=ks)


def test_categories_ids_leave_out_privacy_context_categories_and_their_descendants() -> None:
    bench = _bench()
    channel = bench.model.seed_category(PARTNER, "MediaSpace>site>channels>X", "kms-prod")
    plain = bench.category("Plain")
    entry = bench.entry()["id"]
    assert error_code(_link(bench, entry, channel)) is None
    assert error_code(_link(bench, entry, plain)) is None
    got = bench.call("baseentry", "get", entryId=entry)
    assert got["categoriesIds"] == str(plain) and got["categories"] == "Plain"
    assert sorted(_links(bench, entry)) == sorted([channel, plain])  # the exact membership
    category = bench.call("category", "get", id=channel)
    assert category["privacyContexts"] == "kms-prod" and "privacyContext" not in category


def test_a_detach_from_a_privacy_context_category_really_unlinks_it() -> None:
    bench = _bench()
    channel = bench.model.seed_category(PARTNER, "MediaSpace>channels>X", "kms-prod")
    entry = bench.entry()["id"]
    _link(bench, entry, channel)
    assert bench.call("categoryentry", "delete", entryId=entry, categoryId=channel) is None
    assert _links(bench, entry) == []
    again = bench.call("categoryentry", "delete", entryId=entry, categoryId=channel)
    assert error_code(again) == "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY"


def test_categories_ids_on_an_entry_skip_privacy_context_categories() -> None:
    bench = _bench()
    channel = bench.model.seed_category(PARTNER, "MediaSpace>channels>X", "kms-prod")
    plain = bench.category("Plain")
    entry = bench.entry(categoriesIds=f"{channel},{plain}")["id"]
    assert _links(bench, entry) == [plain]


def test_with_the_category_limit_disabled_categories_ids_is_null_and_writes_nothing() -> None:
    bench = _bench(frozenset({DISABLE_CATEGORY_LIMIT}))
    plain = bench.category("Plain")
    entry = bench.entry(categoriesIds=str(plain))
    assert "categoriesIds" not in entry and "categories" not in entry
    assert _links(bench, entry["id"]) == []
    assert error_code(_link(bench, entry["id"], plain)) is None
    assert "categoriesIds" not in bench.call("baseentry", "get", entryId=entry["id"])
    assert _links(bench, entry["id"]) == [plain]


def test_with_the_category_limit_disabled_an_entry_takes_more_than_32_categories() -> None:
    bench = _bench(frozenset({DISABLE_CATEGORY_LIMIT}))
    entry = bench.entry()["id"]
    for index in range(33):
        assert error_code(_link(bench, entry, bench.category(f"C{index}"))) is None


def test_a_user_session_without_the_permission_has_its_reference_id_dropped_silently() -> None:
    bench = _bench(editors=(OTHER,))
    response = bench.run(
        bench.request(
            "baseentry",
            "add",
            ks=_as(bench, ME),
            entry={"objectType": "KalturaMediaEntry", "mediaType": 1, "referenceId": "kmm-1"},
        )
    )
    made = json.loads(response.body)
    assert error_code(made) is None and "referenceId" not in made and made["userId"] == ME
    assert "KalturaBaseEntry::referenceId" in response.headers["KalturaBaseEntry-referenceId-error"]
    kept = _entry(bench, _as(bench, OTHER), referenceId="kmm-2")
    assert kept["referenceId"] == "kmm-2"  # a role that holds CONTENT_INGEST_REFERENCE_MODIFY
    changed = bench.call(
        "baseentry", "update", entryId=made["id"], baseEntry={"referenceId": "x"}, ks=_as(bench, ME)
    )
    assert error_code(changed) is None and "referenceId" not in changed


def test_a_user_session_may_change_only_its_own_entries_and_delete_only_as_owner() -> None:
    bench = _bench()
    theirs = _entry(bench, _as(bench, OTHER))["id"]
    mine = _as(bench, ME)
    refused = bench.call("baseentry", "update", entryId=theirs, baseEntry={"name": "x"}, ks=mine)
    assert error_code(refused) == "INVALID_KS"
    assert error_code(bench.call("baseentry", "delete", entryId=theirs, ks=mine)) == "INVALID_KS"
    editor = _as(bench, ME, f"edit:{theirs}")
    renamed = bench.call("baseentry", "update", entryId=theirs, baseEntry={"name": "x"}, ks=editor)
    assert renamed["name"] == "x"
    assert error_code(bench.call("baseentry", "delete", entryId=theirs, ks=editor)) == "INVALID_KS"


def test_a_user_session_lists_its_own_entries_unless_it_holds_list_all() -> None:
    bench = _bench()
    mine, theirs = _entry(bench, _as(bench, ME))["id"], _entry(bench, _as(bench, OTHER))["id"]
    for entry_id in (mine, theirs):  # made READY (as transcoding would), so plain lists show them
        bench.state.entries[entry_id].status = 2
        bench.state.write_entry(bench.state.entries[entry_id])
    own = bench.call("baseentry", "list", filter={"statusIn": "2,7"}, ks=_as(bench, ME))
    assert [e["id"] for e in own["objects"]] == [mine]
    every = bench.call("baseentry", "list", filter={"statusIn": "2,7"}, ks=_as(bench, ME, "list:*"))
    assert sorted(e["id"] for e in every["objects"]) == sorted([mine, theirs])


def test_a_user_session_sees_only_its_own_upload_tokens() -> None:
    bench = _bench()
    token = bench.call("uploadtoken", "add", uploadToken={"fileName": "a"}, ks=_as(bench, OTHER))
    mine = _as(bench, ME)
    assert error_code(bench.call("uploadtoken", "get", uploadTokenId=token["id"], ks=mine)) == (
        "UPLOAD_TOKEN_NOT_FOUND"
    )
    listed = bench.call("uploadtoken", "list", filter={"fileNameEqual": "a"}, ks=mine)
    assert listed["objects"] == []


def test_a_user_sessions_write_to_another_users_entry_is_recorded_and_caught() -> None:
    bench = _bench()
    plain = bench.category("Plain")
    theirs = _entry(bench, _as(bench, OTHER))["id"]
    _link(bench, theirs, plain)
    assert bench.model.truth().foreign_writes == ()
    mine = _as(bench, ME)  # no entitlement: the server lets a user unlink anyone's entry
    assert bench.call("categoryentry", "delete", entryId=theirs, categoryId=plain, ks=mine) is None
    truth = bench.model.truth()
    assert [(entry, user) for _, entry, user in truth.foreign_writes] == [(theirs, ME)]
    checker = Checker("batches", 0)
    checker.nothing_foreign(truth)
    assert [v.invariant for v in checker.violations] == ["others_untouched"]
