"""Services build the calls Kaltura documents, and refuse bad input with a clear error."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import models
from kaltura_mm.client import async_verbs, sync_verbs
from kaltura_mm.errors import ConfigError
from kaltura_mm.models import (
    BaseEntryFilter,
    BaseEntryParams,
    CategoryEntryFilter,
    CategoryParams,
    MediaEntryParams,
    Pager,
    SessionType,
    UploadedFileTokenResource,
    UrlResource,
)
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call, FilePart
from kaltura_mm.services import base_entry, category, category_entry, session, upload_token


def _wire(call: Call[Any]) -> tuple[str, str, dict[str, Any], bool]:
    return call.service, call.action, codec.encode_params(call.params), call.idempotent


def test_base_entry_calls(tmp_path: Path) -> None:
    assert _wire(base_entry.add(MediaEntryParams(name="n"))) == (
        "baseEntry",
        "add",
        {"entry": {"name": "n", "objectType": "KalturaMediaEntry"}},
        False,
    )
    assert _wire(base_entry.get("0_a")) == ("baseEntry", "get", {"entryId": "0_a"}, True)
    assert _wire(base_entry.get_by_ids(["0_a", "0_b"]))[2] == {"entryIds": "0_a,0_b"}
    listed = _wire(base_entry.list(BaseEntryFilter(order_by="-createdAt"), Pager(page_size=500)))
    assert listed[2]["filter"] == {"orderBy": "-createdAt", "objectType": "KalturaBaseEntryFilter"}
    assert listed[2]["pager"]["pageSize"] == 500
    update = _wire(base_entry.update("0_a", BaseEntryParams(name="new"), clear=["tags"]))
    assert update[2]["baseEntry"] == {
        "name": "new",
        "tags__null": "",
        "objectType": "KalturaBaseEntry",
    }
    content = _wire(base_entry.add_content("0_a", UploadedFileTokenResource(token="1_t")))
    assert content[2]["resource"] == {
        "token": "1_t",
        "objectType": "KalturaUploadedFileTokenResource",
    }
    assert content[3] is False
    replaced = _wire(base_entry.update_content("0_a", UrlResource(url="https://x/y.mp4")))
    assert replaced[1] == "updateContent"
    assert _wire(base_entry.delete("0_a")) == ("baseEntry", "delete", {"entryId": "0_a"}, True)


def test_upload_token_calls(tmp_path: Path) -> None:
    added = _wire(upload_token.add(file_name="a.mp4", file_size=10))
    assert added[2] == {
        "uploadToken": {"fileName": "a.mp4", "fileSize": 10, "objectType": "KalturaUploadToken"}
    }
    part = FilePart(path=tmp_path / "a.mp4")
    first = upload_token.upload("1_t", part, resume=False, final_chunk=False, resume_at=0)
    assert first.file == part and first.idempotent and not first.retry_codes
    final = upload_token.upload("1_t", part, resume=True, final_chunk=True, resume_at=100)
    assert final.retry_codes == {"UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"}
    assert _wire(upload_token.get("1_t"))[2] == {"uploadTokenId": "1_t"}
    assert _wire(upload_token.list())[1] == "list"
    assert _wire(upload_token.delete("1_t"))[1] == "delete"


def test_category_entry_and_category_calls() -> None:
    assert _wire(category_entry.add("0_a", 5))[2] == {
        "categoryEntry": {"categoryId": 5, "entryId": "0_a", "objectType": "KalturaCategoryEntry"}
    }
    assert _wire(category_entry.delete("0_a", 5))[2] == {"entryId": "0_a", "categoryId": 5}
    listed = _wire(category_entry.list(CategoryEntryFilter(category_id_equal=5)))
    assert listed[2]["filter"]["categoryIdEqual"] == 5
    assert _wire(category.get(5))[2] == {"id": 5}
    assert (
        _wire(category.add(CategoryParams(name="A", parent_id=1)))[2]["category"]["parentId"] == 1
    )
    assert _wire(category.list())[2] == {}


def test_session_start_sends_no_ks_and_hides_nothing_from_the_server() -> None:
    call = session.start("sec", 99, user_id="u", type=SessionType.ADMIN, privileges="list:*")
    assert not call.needs_ks and call.decoder("djJ8x") == "djJ8x"
    assert codec.encode_params(call.params) == {
        "secret": "sec",
        "userId": "u",
        "type": 2,
        "partnerId": 99,
        "expiry": 86400,
        "privileges": "list:*",
    }


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (lambda: base_entry.get(""), "entry_id is empty"),
        (lambda: base_entry.get(42), "entry_id must be a string id"),
        (lambda: base_entry.get_by_ids("0_a"), "must be a list of ids"),
        (lambda: base_entry.get_by_ids([]), "is empty"),
        (lambda: base_entry.list(Pager()), "filter must be a BaseEntryFilter"),
        (lambda: base_entry.add({"name": "x"}), "entry must be a BaseEntry"),
        (lambda: category_entry.add("0_a", "5"), "category_id must be an integer"),
        (lambda: category_entry.add("0_a", 0), "positive"),
        (lambda: category_entry.add("0_a", True), "category_id must be an integer"),
        (lambda: category.add(CategoryParams()), "name is empty"),
        (lambda: upload_token.add(file_size=-1), "file_size"),
        (lambda: upload_token.upload("1_t", "path.mp4"), "part must be a FilePart"),
        (lambda: session.start("", 1), "secret is empty"),
    ],
)
def test_bad_input_is_refused_with_the_fix(build: Any, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        build()


@pytest.mark.parametrize(
    ("module", "bound"),
    [
        ("base_entry", "BaseEntryService"),
        ("upload_token", "UploadTokenService"),
        ("category_entry", "CategoryEntryService"),
        ("category", "CategoryService"),
        ("session", "SessionService"),
        ("app_token", "AppTokenService"),
        ("user_role", "UserRoleService"),
    ],
)
def test_every_action_of_a_service_is_bound_on_the_client(module: str, bound: str) -> None:
    actions = importlib.import_module(f"kaltura_mm.services.{module}")
    public = {
        name
        for name, fn in inspect.getmembers(actions, inspect.isfunction)
        if fn.__module__ == actions.__name__ and not name.startswith("_")
    }
    assert public <= set(vars(getattr(sync_verbs, bound))), f"client.{module} lacks some actions"
    assert public <= set(vars(getattr(async_verbs, f"Async{bound}"))), f"the async {module}"


def test_an_action_taking_an_id_takes_the_object_the_server_returned() -> None:
    entry = models.MediaEntry(id="0_a", name="talk")
    folder = models.Category(id=7, parent_id=0, name="A", full_name="A", full_ids="7")
    assert _wire(base_entry.get(entry))[2] == {"entryId": "0_a"}
    assert _wire(base_entry.update(entry, BaseEntryParams(name="n")))[2]["entryId"] == "0_a"
    assert _wire(category.get(folder))[2] == {"id": 7}
    assert _wire(category_entry.delete(entry, folder))[2] == {"entryId": "0_a", "categoryId": 7}
    link = _wire(category_entry.add(entry, folder))[2]["categoryEntry"]
    assert (link["entryId"], link["categoryId"]) == ("0_a", 7)
    with pytest.raises(ConfigError, match="entry_id must be a string id"):
        base_entry.get(folder)  # type: ignore[arg-type]
