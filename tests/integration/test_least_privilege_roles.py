"""The role presets of docs/least-privilege.md against the sandbox's roles: each preset's app
token does what its row says and is refused the rest (SERVICE_FORBIDDEN, nothing changed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import Client, Config, EntryEdit, ServiceForbiddenError, UploadError
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services.user_role import ROLE_PRESETS

MEDIA = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def _client(sb: Sandbox, preset: str | None, **token: Any) -> Client:
    if preset is not None:
        role = sb.add_role(f"kmm-{preset}", ROLE_PRESETS[preset])
        token |= {"session_type": 2, "session_privileges": f"setrole:{role}"}
    made = sb.add_app_token(hash_type="SHA256", **token)
    config = Config(
        service_url=sb.service_url,
        partner_id=sb.partner_id,
        app_token_id=made["id"],
        app_token=made["token"],
    )
    return Client(config)


def _file(tmp_path: Path, name: str = "talk.mp4") -> Path:
    path = tmp_path / name
    path.write_bytes(MEDIA)
    return path


def test_manager_runs_every_kind_of_command(kaltura_sandbox: Sandbox, tmp_path: Path) -> None:
    with _client(kaltura_sandbox, "manager") as client:
        made = client.categories.create("Root>Courses>Bio").category.id
        other = client.categories.create("Root>Courses>Chem").category.id
        assert made is not None and other is not None
        uploaded = client.upload(_file(tmp_path), category=made)
        entry_id = uploaded.entry_id
        assert client.entry(entry_id).reference_id  # written: the role may set it
        (edited,) = client.update([EntryEdit(entry_id=entry_id, name="Cells")])
        assert edited.ok and client.entry(entry_id).name == "Cells"
        assert all(o.ok for o in client.attach([entry_id], other))
        assert all(o.ok for o in client.detach([entry_id], made))
        assert all(o.ok for o in client.delete([entry_id]))


def test_uploader_uploads_and_assigns_but_may_not_delete_or_edit(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    bio = kaltura_sandbox.create_category("Root>Courses>Bio")
    chem = kaltura_sandbox.create_category("Root>Courses>Chem")
    with _client(kaltura_sandbox, "uploader") as client:
        uploaded = client.upload(_file(tmp_path), category=bio)
        entry_id = uploaded.entry_id
        assert client.entry(entry_id).reference_id  # CONTENT_INGEST_REFERENCE_MODIFY kept it
        again = client.upload(_file(tmp_path), category=bio)
        assert again.entry_id == entry_id  # found by its referenceId: no second entry
        assert all(o.ok for o in client.move([entry_id], bio, chem))
        (deleted,) = client.delete([entry_id])
        assert isinstance(deleted.error, ServiceForbiddenError)
        # The role may call baseEntry.update (CONTENT_INGEST_UPLOAD allows it) but not write
        # name (CONTENT_MANAGE_METADATA): the server drops the field silently (spec 13).
        client.update([EntryEdit(entry_id=entry_id, name="renamed")])
        with pytest.raises(ServiceForbiddenError):
            client.categories.create("Root>Courses>Physics")
        assert client.entry(entry_id).name != "renamed"


def test_reader_lists_and_may_not_upload(kaltura_sandbox: Sandbox, tmp_path: Path) -> None:
    bio = kaltura_sandbox.create_category("Root>Courses>Bio")
    with _client(kaltura_sandbox, "reader") as client:
        assert list(client.entries(category_id=bio)) == []
        with pytest.raises(UploadError) as caught:
            client.upload(_file(tmp_path), category=bio)
        assert isinstance(caught.value.__cause__, ServiceForbiddenError), caught.value


def test_a_user_session_with_list_star_browses_every_entry(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    bio = kaltura_sandbox.create_category("Root>Courses>Bio")
    with _client(kaltura_sandbox, "manager", session_user_id="ops") as admin:
        entry_id = admin.upload(_file(tmp_path), category=bio).entry_id
    kaltura_sandbox.clock.advance(60)  # past the search index's lag
    with _client(
        kaltura_sandbox, None, session_type=0, session_user_id="viewer", session_privileges="list:*"
    ) as client:
        assert [e.id for e in client.entries(category_id=bio)] == [entry_id]
        (deleted,) = client.delete([entry_id])  # another user's entry
        assert not deleted.ok
