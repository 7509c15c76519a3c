"""Entitlement on the MediaSpace preset over HTTP: who sees which entries and categories, who may
link and unlink (``entitlement`` rules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

ALICE, BOB, CAROL, DAVE = (
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
)
KMS = "privacycontext:MediaSpace"


@pytest.fixture
def ms() -> Iterator[Sandbox]:
    """The MediaSpace preset with a consistent index (these tests are about entitlement)."""
    with Sandbox(account="mediaspace", index_lag=0, index_max_in_values=None) as sandbox:
        yield sandbox


def _api(sb: Sandbox, user: str = "", admin: bool = False, privileges: str = "") -> Api:
    return Api(sb, sb.ks(user_id=user, admin=admin, privileges=privileges))


def _names(api: Api, **filter_fields: Any) -> set[str]:
    listed = api.call(
        "baseEntry", "list", filter={"objectType": "KalturaBaseEntryFilter", **filter_fields}
    )
    return {e["name"] for e in listed["objects"]}


def test_disableentitlement_sees_everything_admin_without_it_does_not(ms: Sandbox) -> None:
    everything = {
        "Private lecture",
        "Open talk",
        "Gallery lecture",
        "Archived clip",
        "Carol's draft",
    }
    kmc = _api(ms, "admin", admin=True, privileges="disableentitlement")
    plain_admin = _api(ms, "admin", admin=True)
    try:
        assert _names(kmc) == everything
        assert kmc.call("baseEntry", "count") == 5
        # the default context: entries only in MediaSpace categories are hidden, even from ADMIN
        assert _names(plain_admin) == {"Archived clip", "Carol's draft"}
        hidden = plain_admin.call("baseEntry", "get", entryId=ms.account.entry_id("Open talk"))
        assert is_error(hidden, "ENTRY_ID_NOT_FOUND")
        channel = ms.account.channel_id("Open channel")
        assert is_error(plain_admin.call("category", "get", id=channel), "CATEGORY_NOT_FOUND")
    finally:
        kmc.close()
        plain_admin.close()


def test_users_see_what_they_own_are_entitled_to_or_reach_by_membership(ms: Sandbox) -> None:
    carol = _api(ms, CAROL, privileges=f"{KMS},list:*")
    dave = _api(ms, DAVE, privileges=f"{KMS},list:*")
    try:
        # carol: member of the private channel; the gallery is public; her draft has no category
        # but a KS with a privacy context lists only entries of that context (or her own)
        assert _names(carol) == {"Private lecture", "Open talk", "Gallery lecture", "Carol's draft"}
        # dave: not a member of the private channel; the open channel is for signed-in users;
        # his own entry in Archive (no context) is his
        assert _names(dave) == {"Open talk", "Gallery lecture", "Archived clip"}
        private = ms.account.entry_id("Private lecture")
        assert is_error(dave.call("baseEntry", "get", entryId=private), "ENTRY_ID_NOT_FOUND")
        assert dave.call("baseEntry", "getByIds", entryIds=private) == []
        got = carol.call("baseEntry", "get", entryId=private)
        assert "categoriesIds" not in got  # a privacy-context KS sees null categories
        # entitled users on the entry open it to dave
        kmc = _api(ms, "admin", admin=True, privileges="disableentitlement")
        kmc.call(
            "baseEntry",
            "update",
            entryId=private,
            baseEntry={"objectType": "KalturaMediaEntry", "entitledUsersView": DAVE},
        )
        kmc.close()
        assert dave.call("baseEntry", "get", entryId=private)["id"] == private
        assert "Private lecture" in _names(dave)
    finally:
        carol.close()
        dave.close()


def test_a_user_ks_without_list_privilege_lists_its_own_entries(ms: Sandbox) -> None:
    alice = _api(ms, ALICE, privileges=KMS)
    try:
        assert _names(alice) == {"Private lecture", "Gallery lecture"}
        assert alice.call("baseEntry", "count") == 2
        talk = ms.account.entry_id("Open talk")
        assert alice.call("baseEntry", "get", entryId=talk)["name"] == "Open talk"
    finally:
        alice.close()


def test_a_short_page_and_a_lower_total_when_entitlement_drops_entries(ms: Sandbox) -> None:
    """The index matches membership in any context; the re-read needs the KS context."""
    dave = _api(ms, DAVE, privileges="list:*")  # no privacy context: the default one
    try:
        ms.add_category_user(ms.account.channel_id("Private channel"), DAVE)
        listed = dave.call(
            "baseEntry", "list", filter={"orderBy": "+createdAt"}, pager={"pageSize": 3}
        )
        # the index's page held "Private lecture" too: dropped, the page is short
        assert [e["name"] for e in listed["objects"]] == ["Archived clip", "Carol's draft"]
        assert listed["totalCount"] == 2
        assert dave.call("baseEntry", "count") == 3  # count stops at the index criteria
    finally:
        dave.close()


def test_categories_outside_the_ks_context_are_hidden(ms: Sandbox) -> None:
    carol = _api(ms, CAROL, privileges=KMS)
    plain = _api(ms, CAROL)
    try:
        names = {c["fullName"] for c in carol.call("category", "list")["objects"]}
        assert "MediaSpace>site>channels>Private channel" in names and "Archive" not in names
        assert {c["fullName"] for c in plain.call("category", "list")["objects"]} == {"Archive"}
        by_context = carol.call(
            "category",
            "list",
            filter={"objectType": "KalturaCategoryFilter", "privacyContextEqual": "MediaSpace"},
        )
        assert [c["fullName"] for c in by_context["objects"]] == ["MediaSpace"]
    finally:
        carol.close()
        plain.close()


def _link(api: Api, entry_id: str, category_id: int) -> Any:
    ce = {"objectType": "KalturaCategoryEntry", "entryId": entry_id, "categoryId": category_id}
    return api.call("categoryEntry", "add", categoryEntry=ce)


def test_linking_needs_contributor_membership(ms: Sandbox) -> None:
    account = ms.account
    bob = _api(ms, BOB, privileges=KMS)
    carol = _api(ms, CAROL, privileges=KMS)
    dave = _api(ms, DAVE, privileges=KMS)
    try:
        bobs = bob.new_entry("bob's new")["id"]
        carols = carol.new_entry("carol's new")["id"]
        daves = dave.new_entry("dave's new")["id"]
        assert _link(bob, bobs, account.channel_id("Open channel"))["status"] == 2  # contributor
        private = account.channel_id("Private channel")
        refused = _link(carol, carols, private)  # a MEMBER may not contribute
        assert is_error(refused, "CANNOT_ASSIGN_ENTRY_TO_CATEGORY")
        # dave is not a member of the open channel: seen (signed-in users) but closed to him
        assert is_error(
            _link(dave, daves, account.channel_id("Open channel")),
            "CANNOT_ASSIGN_ENTRY_TO_CATEGORY",
        )
        # a hidden category is not found at all
        assert is_error(_link(dave, daves, private), "CATEGORY_NOT_FOUND")
        # a category without a privacy context is outside a KMS KS's context
        assert is_error(_link(dave, daves, account.category_id("Archive")), "CATEGORY_NOT_FOUND")
        removed = bob.call(
            "categoryEntry", "delete", entryId=bobs, categoryId=account.channel_id("Open channel")
        )
        assert removed is None  # the creator may unlink
        alice_entry = account.entry_id("Gallery lecture")
        refused = bob.call(
            "categoryEntry",
            "delete",
            entryId=alice_entry,
            categoryId=account.gallery_id("Lectures"),
        )
        assert is_error(refused, "CANNOT_REMOVE_ENTRY_FROM_CATEGORY")  # a contributor may not
        alice = _api(ms, ALICE, privileges=KMS)
        talk = account.entry_id("Open talk")
        assert (
            alice.call(
                "categoryEntry",
                "delete",
                entryId=talk,
                categoryId=account.channel_id("Open channel"),
            )
            is None
        )
        alice.close()
        must = carol.call("categoryEntry", "list")
        assert is_error(must, "MUST_FILTER_ON_ENTRY_OR_CATEGORY")
    finally:
        bob.close()
        carol.close()
        dave.close()


def test_switches_enableentitlement_and_the_partner_default(ms: Sandbox) -> None:
    ms.set_default_entitlement(False)
    admin = _api(ms, "admin", admin=True)
    strict = _api(ms, "admin", admin=True, privileges="enableentitlement")
    try:
        assert len(_names(admin)) == 5
        assert _names(strict) == {"Archived clip", "Carol's draft"}
    finally:
        admin.close()
        strict.close()
    ms.set_partner_feature("FEATURE_ENTITLEMENT", False)
    strict = _api(ms, "admin", admin=True, privileges="enableentitlement")
    try:
        assert len(_names(strict)) == 5  # enableentitlement needs the partner's feature
    finally:
        strict.close()


def test_an_admin_cannot_set_a_privacy_context_under_entitlement(ms: Sandbox) -> None:
    admin = _api(ms, "admin", admin=True)
    try:
        refused = admin.call(
            "category",
            "add",
            category={"objectType": "KalturaCategory", "name": "New", "privacyContext": "Other"},
        )
        assert is_error(refused, "CANNOT_UPDATE_CATEGORY_PRIVACY_CONTEXT")
        hidden_parent = admin.call(
            "category",
            "add",
            category={
                "objectType": "KalturaCategory",
                "name": "x",
                "parentId": ms.account.channel_id("Open channel"),
            },
        )
        assert is_error(hidden_parent, "PARENT_CATEGORY_NOT_FOUND")
    finally:
        admin.close()
