"""Issue 16's matrix for the Python API: every verb of ``Client`` and ``AsyncClient`` on the
MediaSpace-shaped account, with an app token of the verb's least-privilege role (the admin makes
the role and the token once; the client holds only the token) and with a MediaSpace user's USER
session (privacycontext:MediaSpace) on entries of their own in channels they manage."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from kaltura_mm import EntryEdit
from kaltura_mm.sandbox import Sandbox, seeding
from kaltura_mm.sandbox.accounts import ALICE
from kaltura_mm.sandbox.category_users import MANAGER
from kaltura_mm.sync.source import read_source
from kaltura_mm.upload.request import UploadOptions
from tests.accounts.cases import ASSIGNER, BASE, DELETE, METADATA, READER, UPLOAD, UPLOADER
from tests.accounts.conftest import KMC, KMS_USER, category, unique
from tests.cli.ground import in_category, live_entries
from tests.integration.clients import Both, under

SMALL = UploadOptions(chunk_size=100_000)
MODES = ("sync", "async")
SESSIONS = ("app_token", "user")


def _client(sandbox: Sandbox, mode: str, session: str, needs: Iterable[str]) -> Both:
    """Return ``run(use)`` under ``mode``'s client holding only the session's credential."""
    if session == "app_token":
        role = sandbox.add_role(unique("kmm-verbs-"), list(needs))
        made = sandbox.add_app_token(
            session_type=2, session_privileges=f"setrole:{role},{KMC}", hash_type="SHA256"
        )
        return under(
            mode, sandbox, admin_secret=None, app_token_id=made["id"], app_token=made["token"]
        )
    ks = sandbox.ks(admin=False, user_id=ALICE, privileges=KMS_USER)
    return under(mode, sandbox, admin_secret=None, ks=ks)


def _owner(session: str) -> str:
    return ALICE if session == "user" else ""


def _channel(sandbox: Sandbox, session: str) -> tuple[int, str]:
    """A gallery of the test's own; the USER session's user manages it."""
    cid, full = category(sandbox)
    if session == "user":
        sandbox.add_category_user(cid, ALICE, MANAGER)
    return cid, full


def _seed(sandbox: Sandbox, cid: int, session: str, count: int = 2) -> list[str]:
    return seeding.seed_entries(
        sandbox.core,
        sandbox.partner_id,
        cid,
        count,
        name_prefix=unique("v"),
        user_id=_owner(session),
    )


def _media(folder: Path, count: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"clip{i}.mp4" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_bytes(os.urandom(2_000 + i))
    return paths


both_sessions = pytest.mark.parametrize(
    ("mode", "session"), [(m, s) for m in MODES for s in SESSIONS]
)


@both_sessions
def test_entries_and_entry(mediaspace: Sandbox, mode: str, session: str) -> None:
    cid, _ = _channel(mediaspace, session)
    ids = _seed(mediaspace, cid, session)
    run = _client(mediaspace, mode, session, READER)
    listed = run(lambda c: c.entries(category_id=cid))
    assert sorted(e.id for e in listed) == sorted(ids)
    assert run(lambda c: c.entry(ids[0])).id == ids[0]


@both_sessions
def test_detach_add_move(mediaspace: Sandbox, mode: str, session: str) -> None:
    cid, _ = _channel(mediaspace, session)
    other, _ = _channel(mediaspace, session)
    first, second = _seed(mediaspace, cid, session)
    run = _client(mediaspace, mode, session, ASSIGNER)
    assert all(o.ok for o in run(lambda c: c.attach([first], other)))
    assert all(o.ok for o in run(lambda c: c.detach([first], cid)))
    assert all(o.ok for o in run(lambda c: c.move([second], cid, other)))
    assert in_category(mediaspace, cid) == []
    assert in_category(mediaspace, other) == sorted([first, second])


@both_sessions
def test_update_and_delete(mediaspace: Sandbox, mode: str, session: str) -> None:
    cid, _ = _channel(mediaspace, session)
    first, second = _seed(mediaspace, cid, session)
    run = _client(mediaspace, mode, session, (METADATA, DELETE, BASE))
    (edited,) = run(lambda c: c.update([EntryEdit(entry_id=first, name="Cells")]))
    assert edited.ok, edited
    assert run(lambda c: c.delete([second]))[0].ok
    names = {e["id"]: e["name"] for e in live_entries(mediaspace)}
    assert names[first] == "Cells" and second not in names


@both_sessions
def test_replace(mediaspace: Sandbox, mode: str, session: str, tmp_path: Path) -> None:
    # the entry, with content, was uploaded for its owner by the admin (outside any category)
    (old, new) = _media(tmp_path, 2)
    admin = under(mode, mediaspace, user_id=_owner(session))
    entry_id = admin(lambda c: c.upload(old, options=SMALL)).entry_id
    mediaspace.clock.advance(5)
    mediaspace.core.promote_ready()
    run = _client(mediaspace, mode, session, (UPLOAD, BASE))
    result = run(lambda c: c.replace(entry_id, new, SMALL))
    assert result.entry_id == entry_id
    mediaspace.clock.advance(5)
    mediaspace.core.promote_ready()
    assert mediaspace.entry_bytes(entry_id).read_bytes() == new.read_bytes()


@pytest.mark.parametrize("mode", MODES)
def test_upload_with_an_app_token(mediaspace: Sandbox, mode: str, tmp_path: Path) -> None:
    cid, _ = _channel(mediaspace, "app_token")
    (path,) = _media(tmp_path)
    run = _client(mediaspace, mode, "app_token", UPLOADER)
    made = run(lambda c: c.upload(path, category=cid, options=SMALL))
    again = run(lambda c: c.upload(path, category=cid, options=SMALL))
    assert again.entry_id == made.entry_id  # found by its referenceId: no second entry
    assert in_category(mediaspace, cid) == [made.entry_id]


@pytest.mark.parametrize("mode", MODES)
def test_upload_with_a_user_session_finds_its_own_entry_again(
    mediaspace: Sandbox, mode: str, tmp_path: Path
) -> None:
    # The user role may not write referenceId (CONTENT_INGEST_REFERENCE_MODIFY): the server drops
    # it (spec 13), so the upload finds its entry again by its own upload tokens instead.
    cid, _ = _channel(mediaspace, "user")
    (path,) = _media(tmp_path)
    run = _client(mediaspace, mode, "user", ())
    made = run(lambda c: c.upload(path, category=cid, options=SMALL))
    again = run(lambda c: c.upload(path, category=cid, options=SMALL))
    assert again.entry_id == made.entry_id  # no second entry
    assert in_category(mediaspace, cid) == [made.entry_id]


@pytest.mark.parametrize("mode", MODES)
def test_sync_plan_and_apply_with_an_app_token(
    mediaspace: Sandbox, mode: str, tmp_path: Path
) -> None:
    cid, full = _channel(mediaspace, "app_token")
    extra = _seed(mediaspace, cid, "app_token", 1)
    _media(tmp_path / "course", 2)
    source = read_source(tmp_path / "course")
    reader = _client(mediaspace, mode, "app_token", READER)
    plan = reader(lambda c: c.sync.plan(source, full, prune="detach"))
    assert in_category(mediaspace, cid) == extra  # planning changes nothing
    run = _client(mediaspace, mode, "app_token", UPLOADER)
    outcomes = run(lambda c: c.sync.apply(plan, options=SMALL))
    assert outcomes and all(o.ok for o in outcomes), outcomes
    now = in_category(mediaspace, cid)
    assert len(now) == 2 and extra[0] not in now


@pytest.mark.parametrize("mode", MODES)
def test_sync_plan_with_a_user_session(mediaspace: Sandbox, mode: str, tmp_path: Path) -> None:
    cid, full = _channel(mediaspace, "user")
    extra = _seed(mediaspace, cid, "user", 1)
    _media(tmp_path / "course", 2)
    run = _client(mediaspace, mode, "user", ())
    plan = run(lambda c: c.sync.plan(read_source(tmp_path / "course"), full, prune="detach"))
    assert plan.items
    assert in_category(mediaspace, cid) == extra
