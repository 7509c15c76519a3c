"""``detach``/``add``/``move`` and ``upload``'s re-run decide from the links, not ``categoriesIds``.

A MediaSpace channel (a privacy context) never shows in an entry's ``categoriesIds``, and a
partner with ``FEATURE_DISABLE_CATEGORY_LIMIT`` gets it null: the commands read the links from
``categoryEntry.list``. The truth is the sandbox's own store. On the ``mediaspace`` account,
which enforces entitlement, the session is signed as KMC signs its own (``disableentitlement``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import ks
from kaltura_mm.models import SessionType
from tests.cli.ground import in_category
from tests.cli.test_upload import make_files
from tests.integration.sync_support import linked, media

Runner = Callable[..., Any]
MEDIASPACE = pytest.mark.kaltura_sandbox(account="mediaspace")
CHANNEL = "MediaSpace>site>channels>Private channel"
KMC = "disableentitlement"


def _session(sandbox: Any, privileges: str) -> str:
    return ks.generate_v2(
        sandbox.partner_id,
        sandbox.admin_secret,
        session_type=SessionType.ADMIN,
        privileges=privileges,
    )


@pytest.fixture
def sandbox_env(sandbox_env: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The sandbox, with the session signed as KMC's where entitlement is enforced."""
    if sandbox_env.partner_feature("FEATURE_ENTITLEMENT"):
        monkeypatch.setenv("KALTURA_KS", _session(sandbox_env, KMC))
    return sandbox_env


GALLERY = "MediaSpace>site>galleries>Lectures"


def _run(cli: Runner, *argv: str, code: int = 0) -> dict[str, str]:
    result = cli("--json", *argv)
    assert result.code == code, result.err
    return {r["entry_id"]: r["status"] for r in result.json_lines()}


@MEDIASPACE
def test_detach_from_a_channel_detaches(cli: Runner, sandbox_env: Any) -> None:
    channel = sandbox_env.account.channel_id("Private channel")
    entry = sandbox_env.account.entry_id("Private lecture")
    assert _run(cli, "detach", "-c", CHANNEL, entry, "--dry-run") == {entry: "would_change"}
    assert entry in in_category(sandbox_env, channel)
    assert _run(cli, "detach", "-c", CHANNEL, entry, "--yes") == {entry: "done"}
    assert entry not in in_category(sandbox_env, channel)
    assert _run(cli, "detach", "-c", CHANNEL, entry, "--yes") == {entry: "already_done"}


@MEDIASPACE
def test_add_to_a_channel_knows_who_is_in_it(cli: Runner, sandbox_env: Any) -> None:
    account = sandbox_env.account
    channel = account.channel_id("Private channel")
    inside, outside = account.entry_id("Private lecture"), account.entry_id("Archived clip")
    planned = _run(cli, "add", "-c", CHANNEL, inside, outside, "--dry-run")
    assert planned == {inside: "already_done", outside: "would_change"}
    assert _run(cli, "add", "-c", CHANNEL, inside, outside, "--yes") == planned | {outside: "done"}
    assert {inside, outside} <= set(in_category(sandbox_env, channel))


@MEDIASPACE
def test_move_from_a_channel_to_a_gallery(cli: Runner, sandbox_env: Any) -> None:
    account = sandbox_env.account
    channel, gallery = account.channel_id("Private channel"), account.gallery_id("Lectures")
    moving, there = account.entry_id("Private lecture"), account.entry_id("Gallery lecture")
    argv = ("move", "-c", CHANNEL, "--to", GALLERY, moving, there)
    assert _run(cli, *argv, "--dry-run") == {moving: "would_change", there: "already_done"}
    assert _run(cli, *argv, "--yes") == {moving: "done", there: "already_done"}
    assert moving not in in_category(sandbox_env, channel)
    assert {moving, there} <= set(in_category(sandbox_env, gallery))
    assert _run(cli, *argv, "--dry-run") == {moving: "already_done", there: "already_done"}


def test_a_partner_without_the_category_limit_detaches_and_moves(
    cli: Runner, sandbox_env: Any
) -> None:
    sandbox_env.set_partner_feature("FEATURE_DISABLE_CATEGORY_LIMIT")
    course = sandbox_env.create_category("Root>Course")
    archive = sandbox_env.create_category("Root>Archive")
    first, second = sandbox_env.seed_entries(course, 2)
    shown = cli("--json", "get", first)
    assert shown.code == 0 and shown.json_lines()[0]["categories_ids"] is None
    assert _run(cli, "detach", "-c", "Root>Course", first, "--dry-run") == {first: "would_change"}
    assert _run(cli, "detach", "-c", "Root>Course", first, "--yes") == {first: "done"}
    assert in_category(sandbox_env, course) == [second]
    moved = _run(cli, "move", "-c", "Root>Course", "--to", "Root>Archive", second, "--yes")
    assert moved == {second: "done"}
    assert in_category(sandbox_env, course) == []
    assert in_category(sandbox_env, archive) == [second]
    added = _run(cli, "add", "-c", "Root>Archive", first, second, "--dry-run")
    assert added == {first: "would_change", second: "already_done"}


@MEDIASPACE
def test_an_upload_rerun_into_a_channel_puts_back_only_what_was_taken_out(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    channel = sandbox_env.account.channel_id("Open channel")
    make_files(tmp_path / "media", 2)
    upload = ("--json", "upload", str(tmp_path / "media"), "-c", str(channel))
    first = cli(*upload)
    assert first.code == 0, first.err
    ids = [r["entry_id"] for r in first.json_lines()]
    assert cli("detach", ids[0], "-c", str(channel), "--yes").code == 0
    again = cli(*upload)
    assert again.code == 0, again.err
    lines = again.json_lines()
    assert [r["status"] for r in lines] == ["relinked", "skipped"]
    assert "put back into category" in lines[0]["message"]
    assert lines[1]["message"] is None  # it never left: nothing put back
    assert set(ids) <= set(in_category(sandbox_env, channel))


@pytest.fixture(params=["mediaspace", "no-category-limit"])
def scope(request: pytest.FixtureRequest, sandbox_env: Any) -> str:
    """Return a category to sync where ``categoriesIds`` is blind, and make its sub-category."""
    if request.param == "mediaspace":
        top = "MediaSpace>site>channels>Open channel"
    else:
        sandbox_env.set_partner_feature("FEATURE_DISABLE_CATEGORY_LIMIT")
        top = "Course"
        sandbox_env.create_category(top)
    sandbox_env.create_category(f"{top}>Week 1")
    return top


@pytest.mark.kaltura_sandbox(account="mediaspace")
def test_sync_where_categories_ids_is_blind_plans_and_applies_exactly(
    cli: Runner, sandbox_env: Any, scope: str, tmp_path: Path
) -> None:
    # The sync read categoryEntry.list before (by categoryFullIdsStartsWith, now by categoryIdIn
    # over the scope's tree): this pins it where categoriesIds would mislead, plan and apply.
    media(tmp_path, "a.mp4")
    media(tmp_path, "b.mp4")
    manifest = tmp_path / "course.csv"
    manifest.write_text("path,referenceId\na.mp4,ref-a\nb.mp4,ref-b\n")
    assert cli("sync", str(manifest), "-c", scope, "--yes", "-q").code == 0
    assert _planned(cli, manifest, scope) == {"ref-a": ["keep"], "ref-b": ["keep"]}
    manifest.write_text(f"path,category,referenceId\na.mp4,,ref-a\nb.mp4,{scope}>Week 1,ref-b\n")
    saved = tmp_path / "plan.json"
    assert cli("sync", str(manifest), "-c", scope, "--plan-out", str(saved)).code == 0
    applied = cli("--json", "apply", str(saved))
    assert applied.code == 0, applied.err
    (line,) = applied.json_lines()
    assert (line["reference_id"], line["status"]) == ("ref-b", "done")
    assert linked(sandbox_env, line["entry_id"]) == {f"{scope}>Week 1"}
    assert _planned(cli, manifest, scope) == {"ref-a": ["keep"], "ref-b": ["keep"]}


def _planned(cli: Runner, manifest: Path, scope: str) -> dict[str, list[str]]:
    """Return the plan's actions for the manifest's items (the preset's own entries left out)."""
    plan = cli("--json", "sync", str(manifest), "-c", scope, "--plan", "--show-keep")
    assert plan.code == 0, plan.err
    return {r["reference_id"]: r["actions"] for r in plan.json_lines() if r["reference_id"]}


@MEDIASPACE
def test_a_session_with_a_privacy_context_detaches_and_adds(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under a KS with privacycontext: the server nulls every entry's categoriesIds, even for a
    # category with no context of its own (Archive).
    account = sandbox_env.account
    archive, entry = account.category_id("Archive"), account.entry_id("Archived clip")
    monkeypatch.setenv("KALTURA_KS", _session(sandbox_env, f"privacycontext:MediaSpace,{KMC}"))
    shown = cli("--json", "get", entry)
    assert shown.code == 0 and shown.json_lines()[0]["categories_ids"] is None
    assert _run(cli, "add", "-c", "Archive", entry, "--dry-run") == {entry: "already_done"}
    assert _run(cli, "detach", "-c", "Archive", entry, "--yes") == {entry: "done"}
    assert entry not in in_category(sandbox_env, archive)
