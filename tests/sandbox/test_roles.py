"""Roles gate actions: the default USER and ADMIN roles, widget sessions, ``setrole:`` and the
``userRole`` service (``kPermissionManager``, ``deployment/permissions/service.*.ini``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.sandbox import Sandbox, permission_names, permissions
from kaltura_mm.sandbox.dispatcher import SERVICES
from tests.sandbox.helpers import Api, is_error, user_api

ENTRY = {"objectType": "KalturaMediaEntry", "name": "clip", "mediaType": 1}
READ_ONLY = ["CONTENT_MANAGE_BASE"]


def _role(api: Api, name: str, names: str, **extra: Any) -> dict[str, Any]:
    role = {"objectType": "KalturaUserRole", "name": name, "permissionNames": names, **extra}
    result: dict[str, Any] = api.call("userRole", "add", userRole=role)
    return result


def test_every_action_the_sandbox_runs_is_in_the_permission_table() -> None:
    for service, actions in SERVICES.items():
        for action in actions:
            assert permissions.action_permitted(frozenset(), service, action) is not None, (
                f"{service}.{action} is not in permissions.ACTIONS"
            )


def test_every_permission_in_the_tables_is_one_the_server_defines() -> None:
    assert permissions.every_permission_named() <= permission_names.NORMAL_PERMISSIONS
    assert "CONTENT_INGEST_REFERENCE_MODIFY" in permission_names.NORMAL_PERMISSIONS


def test_a_role_that_may_only_read_cannot_add(sb: Sandbox) -> None:
    role = sb.add_role("reader", READ_ONLY)
    reader = user_api(sb, "ann", privileges=f"setrole:{role}")
    assert reader.call("baseEntry", "list")["objectType"] == "KalturaBaseEntryListResponse"
    denied = reader.http.post(
        "/service/baseEntry/action/add", json={"format": 1, "ks": reader.ks, "entry": ENTRY}
    )
    body = denied.json()
    assert is_error(body, "SERVICE_FORBIDDEN")
    assert body["args"] == {"SERVICE": "baseentry->add"}
    assert body["message"] == "The access to service [baseentry->add] is forbidden"
    assert denied.headers["X-Kaltura"] == "error-SERVICE_FORBIDDEN"
    assert is_error(reader.call("uploadToken", "add"), "SERVICE_FORBIDDEN")


def test_setrole_wins_over_an_admin_session(sb: Sandbox, api: Api) -> None:
    role = sb.add_role("reader", READ_ONLY)
    narrow = Api(sb, sb.ks(user_id="svc", privileges=f"setrole:{role}"))
    denied = narrow.call("category", "add", category={"objectType": "KalturaCategory", "name": "x"})
    assert is_error(denied, "SERVICE_FORBIDDEN")
    assert denied["args"] == {"SERVICE": "category->add"}
    assert is_error(narrow.call("userRole", "list"), "SERVICE_FORBIDDEN")
    assert api.call("userRole", "list")["totalCount"] >= 1  # the plain admin KS may


def test_a_role_can_allow_what_the_user_role_cannot(sb: Sandbox) -> None:
    role = sb.add_role("editor", ["BASE_USER_SESSION_PERMISSION", "CONTENT_MANAGE_EDIT_CATEGORIES"])
    editor = user_api(sb, "ann", privileges=f"setrole:{role}")
    added = editor.call("category", "add", category={"objectType": "KalturaCategory", "name": "x"})
    assert added["name"] == "x"
    plain = user_api(sb, "ann")
    denied = plain.call("category", "add", category={"objectType": "KalturaCategory", "name": "y"})
    assert is_error(denied, "SERVICE_FORBIDDEN")


def test_a_role_id_may_be_a_system_name(sb: Sandbox, api: Api) -> None:
    _role(api, "By system name", "CONTENT_MANAGE_BASE", systemName="READER_ROLE")
    reader = user_api(sb, "ann", privileges="setrole:READER_ROLE")
    assert reader.call("baseEntry", "count") == 0
    assert is_error(reader.call("baseEntry", "add", entry=ENTRY), "SERVICE_FORBIDDEN")


def test_an_unknown_deleted_or_foreign_role_is_an_invalid_object_id(sb: Sandbox, api: Api) -> None:
    unknown = user_api(sb, "ann", privileges="setrole:987654").call("baseEntry", "count")
    assert is_error(unknown, "INVALID_OBJECT_ID")
    assert unknown["message"] == "Invalid object id [N/A]"
    role = sb.add_role("gone", READ_ONLY)
    api.call("userRole", "delete", userRoleId=role)
    gone = user_api(sb, "ann", privileges=f"setrole:{role}").call("baseEntry", "count")
    assert is_error(gone, "INVALID_OBJECT_ID")
    other = sb.add_partner()
    theirs = sb.add_role("theirs", READ_ONLY, partner_id=other.partner_id)
    foreign = user_api(sb, "ann", privileges=f"setrole:{theirs}").call("baseEntry", "count")
    assert is_error(foreign, "INVALID_OBJECT_ID")
    negative = user_api(sb, "ann", privileges="setrole:-3").call("baseEntry", "count")
    assert is_error(negative, "INVALID_SET_ROLE")


def test_the_default_user_role_cannot_cancel_a_replacement(sb: Sandbox) -> None:
    # media.cancelReplace needs CONTENT_INGEST_REPLACE or KMS_USER_PERMISSION
    ann = user_api(sb, "ann")
    entry = ann.new_entry()
    denied = ann.call("media", "cancelReplace", entryId=entry["id"])
    assert is_error(denied, "SERVICE_FORBIDDEN")
    assert denied["args"] == {"SERVICE": "media->cancelReplace"}


def test_a_widget_session_may_read_but_not_write(sb: Sandbox, api: Api) -> None:
    anonymous = Api(sb, None)
    widget = anonymous.call("session", "startWidgetSession", widgetId=f"_{sb.partner_id}")
    viewer = Api(sb, widget["ks"])
    assert viewer.call("baseEntry", "list")["objectType"] == "KalturaBaseEntryListResponse"
    assert is_error(viewer.call("baseEntry", "add", entry=ENTRY), "SERVICE_FORBIDDEN")
    assert is_error(viewer.call("uploadToken", "add"), "SERVICE_FORBIDDEN")
    assert is_error(viewer.call("categoryEntry", "list"), "SERVICE_FORBIDDEN")


def test_user_role_add_get_list_update_delete(sb: Sandbox, api: Api) -> None:
    made = _role(api, "Uploader", "CONTENT_INGEST_UPLOAD, BASE_USER_SESSION_PERMISSION")
    assert made["objectType"] == "KalturaUserRole"
    assert made["status"] == 1 and made["partnerId"] == sb.partner_id
    assert made["permissionNames"] == "CONTENT_INGEST_UPLOAD, BASE_USER_SESSION_PERMISSION"
    assert api.call("userRole", "get", userRoleId=made["id"])["name"] == "Uploader"
    listed = api.call("userRole", "list", filter={"objectType": "KalturaUserRoleFilter"})
    assert made["id"] in [r["id"] for r in listed["objects"]]
    names = {r["name"] for r in listed["objects"]}
    assert {"Publisher Administrator", "Basic User Session Role"} <= names
    changed = api.call(
        "userRole",
        "update",
        userRoleId=made["id"],
        userRole={"objectType": "KalturaUserRole", "permissionNames": "CONTENT_MANAGE_BASE"},
    )
    assert changed["permissionNames"] == "CONTENT_MANAGE_BASE"
    reader = user_api(sb, "ann", privileges=f"setrole:{made['id']}")
    assert is_error(reader.call("uploadToken", "add"), "SERVICE_FORBIDDEN")  # takes effect
    deleted = api.call("userRole", "delete", userRoleId=made["id"])
    assert deleted["status"] == 3
    assert is_error(api.call("userRole", "get", userRoleId=made["id"]), "INVALID_OBJECT_ID")


def test_user_role_refusals(sb: Sandbox, api: Api) -> None:
    _role(api, "Taken", "CONTENT_MANAGE_BASE")
    assert is_error(_role(api, "Taken", "CONTENT_MANAGE_BASE"), "ROLE_NAME_ALREADY_EXISTS")
    assert is_error(_role(api, "Publisher Administrator", "*"), "ROLE_NAME_ALREADY_EXISTS")
    unknown = _role(api, "Bad", "CONTENT_MANAGE_BASE,NO_SUCH_PERMISSION")
    assert is_error(unknown, "PERMISSION_NOT_FOUND")
    expected = f"Permission [NO_SUCH_PERMISSION] was not found for partner [{sb.partner_id}]"
    assert unknown["message"] == expected
    nameless = api.call("userRole", "add", userRole={"objectType": "KalturaUserRole"})
    assert is_error(nameless, "PROPERTY_VALIDATION_CANNOT_BE_NULL")
    assert nameless["args"] == {"PROP_NAME": "KalturaUserRole::name"}
    admin_role = api.call("userRole", "list", filter={"nameEqual": "Publisher Administrator"})[
        "objects"
    ][0]
    global_change = api.call(
        "userRole", "update", userRoleId=admin_role["id"], userRole={"name": "Mine now"}
    )
    assert is_error(global_change, "INVALID_OBJECT_ID")
    global_delete = api.call("userRole", "delete", userRoleId=admin_role["id"])
    assert is_error(global_delete, "INVALID_OBJECT_ID")


def test_a_user_session_may_not_manage_roles(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    denied = _role(ann, "Mine", "*")
    assert is_error(denied, "SERVICE_FORBIDDEN")
    assert denied["args"] == {"SERVICE": "userrole->add"}
    assert is_error(ann.call("userRole", "list"), "SERVICE_FORBIDDEN")


def test_roles_are_per_partner(sb: Sandbox, api: Api) -> None:
    other = sb.add_partner()
    theirs = Api(sb, sb.ks(partner_id=other.partner_id))
    made = _role(api, "Ours", "CONTENT_MANAGE_BASE")
    assert is_error(theirs.call("userRole", "get", userRoleId=made["id"]), "INVALID_OBJECT_ID")
    assert not is_error(_role(theirs, "Ours", "CONTENT_MANAGE_BASE"), "ROLE_NAME_ALREADY_EXISTS")


def test_add_role_refuses_names_the_server_does_not_define(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="NOT_A_PERMISSION"):
        sb.add_role("bad", ["CONTENT_MANAGE_BASE", "NOT_A_PERMISSION"])
    assert sb.add_role("everything", "*") >= 1000


def test_the_documented_permission_table_is_the_one_the_sandbox_applies() -> None:
    docs = Path(__file__).parents[2] / "docs" / "sandbox.md"
    documented: dict[tuple[str, str], frozenset[str]] = {}
    for line in docs.read_text().splitlines():
        match = re.fullmatch(r"\| `(\w+)\.(\w+)` \| ([A-Z_, ]+) \|", line)
        if match:
            names = frozenset(n.strip() for n in match.group(3).split(","))
            documented[(match.group(1).lower(), match.group(2))] = names
    applied = {
        (service, action): names
        for service, actions in permissions.ACTIONS.items()
        for action, names in actions.items()
    }
    assert documented == applied


def test_a_forbidden_sub_request_sets_the_headers_of_the_whole_answer(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    body = {
        "format": 1,
        "ks": ann.ks,
        "1": {"service": "baseEntry", "action": "count"},
        "2": {"service": "category", "action": "delete", "id": 1},
    }
    response = ann.http.post("/service/multirequest", json=body)
    counted, denied = response.json()
    assert counted == 0 and is_error(denied, "SERVICE_FORBIDDEN")
    assert response.headers["X-Kaltura"] == "error-SERVICE_FORBIDDEN"
    assert response.headers["X-Kaltura-App"] == (
        "exiting on error SERVICE_FORBIDDEN - The access to service [category->delete] is forbidden"
    )
    fine = ann.http.post("/service/baseEntry/action/count", json={"format": 1, "ks": ann.ks})
    assert "X-Kaltura" not in fine.headers


def test_roles_survive_a_restart_on_the_same_data_folder(tmp_path: Path) -> None:
    with Sandbox(data_dir=tmp_path) as first:
        role = first.add_role("reader", READ_ONLY)
        next_role = first.add_role("other", READ_ONLY)
    with Sandbox(data_dir=tmp_path) as again:
        reader = user_api(again, "ann", privileges=f"setrole:{role}")
        assert is_error(reader.call("baseEntry", "add", entry=ENTRY), "SERVICE_FORBIDDEN")
        assert again.add_role("third", READ_ONLY) == next_role + 1
        reader.close()


def test_a_user_the_partner_gave_roles_acts_with_them_in_any_session_type(
    sb: Sandbox, api: Api
) -> None:
    editor = sb.add_role("category editor", ["CONTENT_MANAGE_EDIT_CATEGORIES"])
    uploader = sb.add_role("uploader", ["CONTENT_INGEST_UPLOAD", "CONTENT_MANAGE_BASE"])
    sb.set_user_roles("Kim", [editor, uploader])
    kim = user_api(sb, "kim")  # the user id is matched ignoring case
    added = kim.call("category", "add", category={"objectType": "KalturaCategory", "name": "k"})
    assert added["name"] == "k"  # the user-session role could not
    assert kim.call("baseEntry", "add", entry=ENTRY)["id"]  # the second role's permission
    kim_admin = Api(sb, sb.ks(user_id="kim"))
    assert is_error(kim_admin.call("userRole", "list"), "SERVICE_FORBIDDEN")  # not the admin's
    reader = sb.add_role("reader", READ_ONLY)
    chosen = user_api(sb, "kim", privileges=f"setrole:{reader}")  # setrole still wins
    assert is_error(chosen.call("category", "delete", id=added["id"]), "SERVICE_FORBIDDEN")
    assert is_error(api.call("userRole", "delete", userRoleId=editor), "ROLE_IS_BEING_USED")
    sb.set_user_roles("kim", [])
    assert is_error(kim.call("category", "delete", id=added["id"]), "SERVICE_FORBIDDEN")
    assert api.call("userRole", "delete", userRoleId=editor)["status"] == 3


def test_set_user_roles_refuses_a_role_that_does_not_exist(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="987654"):
        sb.set_user_roles("kim", [987654])
