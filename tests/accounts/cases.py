"""The commands of the least-privilege matrix: for each, the permissions docs/least-privilege.md
says it needs, how a test sets its ground up (as the admin, with sandbox shortcuts), the argv a
user runs, and what the server must hold after it ran."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.sandbox import Sandbox, seeding
from tests.accounts.conftest import Result, Runner, Sessions, category, unique
from tests.cli.ground import in_category, live_entries, open_tokens

BASE = "CONTENT_MANAGE_BASE"
UPLOAD = "CONTENT_INGEST_UPLOAD"
REFERENCE = "CONTENT_INGEST_REFERENCE_MODIFY"
ASSIGN = "CONTENT_MANAGE_ASSIGN_CATEGORIES"
METADATA = "CONTENT_MANAGE_METADATA"
DELETE = "CONTENT_MANAGE_DELETE"
EDIT_CATEGORIES = "CONTENT_MANAGE_EDIT_CATEGORIES"

READER = (BASE,)
UPLOADER = (UPLOAD, BASE, ASSIGN, REFERENCE)
ASSIGNER = (ASSIGN, BASE)


def files(folder: Path, count: int = 2, size: int = 2_000) -> Path:
    """Write ``count`` small random media files into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"clip{i}.mp4").write_bytes(os.urandom(size + i))
    return folder


def state(sandbox: Sandbox) -> dict[str, Any]:
    """What the server holds that a command may change (statuses left out: conversions move)."""
    store = sandbox.core.store
    entries = {e["id"]: (e["name"], e["reference_id"]) for e in live_entries(sandbox)}
    links = store.all(
        "SELECT entry_id, category_id FROM category_entries WHERE status = 2 ORDER BY 1, 2"
    )
    categories = store.all(
        "SELECT id, full_name FROM categories WHERE partner_id = ? AND status = 2 ORDER BY id",
        (sandbox.partner_id,),
    )
    return {
        "entries": entries,
        "links": [tuple(r) for r in links],
        "tokens": sorted(t["id"] for t in open_tokens(sandbox)),
        "categories": [tuple(r) for r in categories],
    }


Ground = dict[str, Any]


@attrs.frozen
class Case:
    """One command of the matrix."""

    name: str
    needs: tuple[str, ...]
    prepare: Callable[[Sandbox, Sessions, Path, str], Ground]  # the last: entries' owner
    argv: Callable[[Ground], list[str]]
    check: Callable[[Sandbox, Ground, Result, Runner], None]
    # What a MediaSpace user's USER session is refused by the server's rules (None: allowed):
    # words the refusal must name.
    user_refused: str | None = None


def _seeded(sandbox: Sandbox, _s: Sessions, _t: Path, owner: str) -> Ground:
    cid, full = category(sandbox)
    prefix = unique("seeded")
    ids = seeding.seed_entries(
        sandbox.core, sandbox.partner_id, cid, 2, name_prefix=prefix, user_id=owner
    )
    return {"cid": cid, "full": full, "ids": ids}


def _two(sandbox: Sandbox, s: Sessions, t: Path, owner: str) -> Ground:
    ground = _seeded(sandbox, s, t, owner)
    ground["cid2"], ground["full2"] = category(sandbox)
    return ground


def _uploaded(sandbox: Sandbox, s: Sessions, tmp: Path, owner: str) -> Ground:
    """An entry of ``owner`` with content, uploaded by the admin (what replace needs)."""
    cid, full = category(sandbox)
    s.kmc(owner)
    done = s.cli("--json", "upload", str(files(tmp / "first", 1)), "-c", full)
    assert done.code == 0, done.err
    replacement = tmp / "new.mp4"
    replacement.write_bytes(os.urandom(3_000))
    return {
        "cid": cid,
        "full": full,
        "ids": [done.json_lines()[0]["entry_id"]],
        "file": replacement,
    }


def _unfinished(sandbox: Sandbox, s: Sessions, tmp: Path, owner: str) -> Ground:
    """An upload for ``owner`` the admin's run left unfinished: its chunks were refused."""
    cid, full = category(sandbox)
    s.kmc(owner)
    before = {t["id"] for t in open_tokens(sandbox)}
    sandbox.faults.inject("uploadToken", "upload", kinds=("http503",))
    try:
        # several chunks: the first rides the create request, the later ones meet the fault
        drop = files(tmp / "drop", 1, size=3 * 1024 * 1024)
        left = s.cli(
            "--retries", "0", "--json", "upload", str(drop), "-c", full, "--chunk-size", "1MiB"
        )
    finally:
        sandbox.faults.clear()
    assert left.code != 0, (left.code, left.out, left.err)
    made = {t["id"] for t in open_tokens(sandbox)} - before
    assert made, "the stopped upload left no token open"
    return {"cid": cid, "full": full, "ids": [], "tokens": made}


def _still_open(sandbox: Sandbox, g: Ground) -> bool:
    return bool(g["tokens"] & {t["id"] for t in open_tokens(sandbox)})


def _ok(result: Result) -> None:
    assert result.code == 0, result.out + result.err


def _check_list(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert sorted(x["id"] for x in r.json_lines()) == sorted(g["ids"])


def _check_get(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert [x["id"] for x in r.json_lines()] == g["ids"][:1]


def _check_categories(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert g["full"] in {x.get("full_name") for x in r.json_lines()}, r.out


def _check_auth(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    record = r.json_lines()[0]
    if record["credential"] == "app_token":
        assert (record["session_type"], record["role"] is not None) == ("ADMIN", True), record
    else:  # a KS given as it is: checked by the server, its fields unreadable without a secret
        assert (record["credential"], record["session_type"]) == ("ks", None), record


def _check_upload(sandbox: Sandbox, g: Ground, r: Result, cli: Runner) -> None:
    _ok(r)
    made = [x["entry_id"] for x in r.json_lines()]
    assert len(made) == 2 and sorted(made) == in_category(sandbox, g["cid"])
    again = cli(*r_argv(g))
    _ok(again)
    assert {x["status"] for x in again.json_lines()} == {"skipped"}  # found again: no new entry
    assert sorted(made) == in_category(sandbox, g["cid"])


def r_argv(g: Ground) -> list[str]:
    return ["--json", "upload", str(g["folder"]), "-c", g["full"]]


def _prep_upload(sandbox: Sandbox, s: Sessions, tmp: Path, owner: str) -> Ground:
    cid, full = category(sandbox)
    return {"cid": cid, "full": full, "ids": [], "folder": files(tmp / unique("up"))}


def _check_detach(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert in_category(sandbox, g["cid"]) == sorted(g["ids"][1:])


def _check_add(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert in_category(sandbox, g["cid2"]) == [g["ids"][0]]
    assert g["ids"][0] in in_category(sandbox, g["cid"])


def _check_move(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert in_category(sandbox, g["cid2"]) == [g["ids"][0]]
    assert g["ids"][0] not in in_category(sandbox, g["cid"])


def _check_delete(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert g["ids"][0] not in {e["id"] for e in live_entries(sandbox)}


def _check_update(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    names = {e["id"]: e["name"] for e in live_entries(sandbox)}
    assert names[g["ids"][0]] == "Renamed by the matrix"


def _check_replace(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    sandbox.clock.advance(5)  # past the conversion of the new content
    sandbox.core.promote_ready()
    assert sandbox.entry_bytes(g["ids"][0]).read_bytes() == g["file"].read_bytes()


SAME = ("keep", "extra")  # a plan's actions that change nothing (extra: with its prune)


def _check_sync_plan(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    actions = sorted(a for line in r.json_lines() for a in line["actions"] if a not in SAME)
    assert actions == ["add", "detach"], r.out
    assert in_category(sandbox, g["cid"]) == sorted([*g["synced"], *g["ids"]])  # unchanged


def _check_sync(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    now = in_category(sandbox, g["cid"])
    assert set(g["synced"]) < set(now) and len(now) == 3  # one added
    assert not set(g["ids"]) & set(now)  # the extra pruned (detached)


def _sync_argv(g: Ground) -> list[str]:
    return ["--json", "sync", str(g["folder"]), "-c", g["full"], "--prune", "detach"]


def _prep_sync(sandbox: Sandbox, s: Sessions, tmp: Path, owner: str) -> Ground:
    """A category an earlier sync (the admin's, for ``owner``) filled from a folder of two
    files, one entry since added by hand, and a third file since put in the folder: the sync
    adds one and prunes one of three (within any cap on how much a prune may remove)."""
    cid, full = category(sandbox)
    folder = files(tmp / unique("sync"))
    s.kmc(owner)
    first = s.cli("sync", str(folder), "-c", full, "--yes", "-q")
    assert first.code == 0, first.err
    synced = in_category(sandbox, cid)
    extra = seeding.seed_entries(sandbox.core, sandbox.partner_id, cid, 1, user_id=owner)
    (folder / "clip9.mp4").write_bytes(os.urandom(2_500))
    return {"cid": cid, "full": full, "ids": extra, "synced": synced, "folder": folder}


def _check_create(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    names = {row[1] for row in state(sandbox)["categories"]}
    assert f"{g['full']}>Made" in names


def _check_rename(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert g["full"].rsplit(">", 1)[0] + ">" + g["new"] in {
        row[1] for row in state(sandbox)["categories"]
    }


def _prep_rename(sandbox: Sandbox, s: Sessions, tmp: Path, owner: str) -> Ground:
    ground = _seeded(sandbox, s, tmp, owner)
    ground["new"] = unique("renamed")
    return ground


def _check_category_move(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    row = sandbox.core.store.one("SELECT parent_id FROM categories WHERE id = ?", (g["cid"],))
    assert row is not None and row[0] == g["cid2"]


def _check_category_delete(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    assert g["cid"] not in {row[0] for row in state(sandbox)["categories"]}


def _check_resume(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    (record,) = r.json_lines()
    assert record["status"] == "resumed"
    assert in_category(sandbox, g["cid"]) == [record["entry_id"]]
    assert not _still_open(sandbox, g)


def _check_abort(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    (record,) = r.json_lines()
    assert record["status"] == "aborted"
    assert in_category(sandbox, g["cid"]) == [] and not _still_open(sandbox, g)


def _check_uploads_list(sandbox: Sandbox, g: Ground, r: Result, _c: Runner) -> None:
    _ok(r)
    (record,) = r.json_lines()
    assert record["file"] == "unchanged"


CASES = (
    Case("list", READER, _seeded, lambda g: ["--json", "list", "-c", g["full"]], _check_list),
    Case("get", READER, _seeded, lambda g: ["--json", "get", g["ids"][0]], _check_get),
    Case(
        "categories",
        READER,
        _seeded,
        lambda g: ["--json", "categories", "--root", g["full"]],
        _check_categories,
    ),
    Case("auth check", (), _seeded, lambda g: ["--json", "auth", "check"], _check_auth),
    Case(
        "upload",
        UPLOADER,
        _prep_upload,
        r_argv,
        _check_upload,
    ),
    Case(
        "detach",
        ASSIGNER,
        _seeded,
        lambda g: ["--json", "detach", g["ids"][0], "-c", g["full"], "--yes"],
        _check_detach,
    ),
    Case(
        "add",
        ASSIGNER,
        _two,
        lambda g: ["--json", "add", g["ids"][0], "-c", g["full2"], "--yes"],
        _check_add,
    ),
    Case(
        "move",
        ASSIGNER,
        _two,
        lambda g: ["--json", "move", g["ids"][0], "-c", g["full"], "--to", g["full2"], "--yes"],
        _check_move,
    ),
    Case(
        "delete",
        (DELETE, BASE),
        _seeded,
        lambda g: ["--json", "delete", g["ids"][0], "--yes"],
        _check_delete,
    ),
    Case(
        "update",
        (METADATA, BASE),
        _seeded,
        lambda g: ["--json", "update", g["ids"][0], "--name", "Renamed by the matrix"],
        _check_update,
    ),
    Case(
        "replace",
        (UPLOAD, BASE),  # CONTENT_INGEST_REPLACE: only to cancel or approve
        _uploaded,
        lambda g: ["--json", "replace", g["ids"][0], str(g["file"])],
        _check_replace,
    ),
    Case(
        "sync plan",
        READER,
        _prep_sync,
        lambda g: [*_sync_argv(g), "--plan"],
        _check_sync_plan,
    ),
    Case(
        "sync apply",
        UPLOADER,
        _prep_sync,
        lambda g: [*_sync_argv(g), "--yes"],
        _check_sync,
        user_refused="lacks the permission CONTENT_INGEST_REFERENCE_MODIFY",
    ),
    Case(
        "categories create",
        (EDIT_CATEGORIES, BASE),
        _seeded,
        lambda g: ["--json", "categories", "create", f"{g['full']}>Made"],
        _check_create,
        user_refused="may not call category->",
    ),
    Case(
        "categories rename",
        (EDIT_CATEGORIES,),
        _prep_rename,
        lambda g: ["--json", "categories", "rename", str(g["cid"]), g["new"]],
        _check_rename,
        user_refused="may not call category->",
    ),
    Case(
        "categories move",
        (EDIT_CATEGORIES,),
        _two,
        lambda g: ["--json", "categories", "move", str(g["cid"]), "--to", str(g["cid2"])],
        _check_category_move,
        user_refused="may not call category->",
    ),
    Case(
        "categories delete",
        (EDIT_CATEGORIES,),
        _seeded,
        lambda g: ["--json", "categories", "delete", str(g["cid"]), "--force", "--yes"],
        _check_category_delete,
        user_refused="may not call category->",
    ),
    Case("uploads list", (), _unfinished, lambda g: ["--json", "uploads"], _check_uploads_list),
    Case(
        "uploads resume",
        (UPLOAD, BASE),  # its entry, referenceId and category link were made by the first run
        _unfinished,
        lambda g: ["--json", "uploads", "resume", "--all"],
        _check_resume,
    ),
    Case(
        "uploads abort",
        (DELETE, UPLOAD, BASE),
        _unfinished,
        lambda g: ["--json", "uploads", "abort", "--all", "--yes"],
        _check_abort,
    ),
)


def changes(before: Ground, after: Ground) -> dict[str, Any]:
    """Return what differs between two ``state`` snapshots (what a run left on the server)."""
    out: dict[str, Any] = {}
    for key in before:
        old, new = before[key], after[key]
        if isinstance(old, dict):
            gone = {k: old[k] for k in old.keys() - new.keys()}
            made = {k: new[k] for k in new.keys() - old.keys()}
            edited = {k: (old[k], new[k]) for k in old.keys() & new.keys() if old[k] != new[k]}
            found = {"gone": gone, "made": made, "edited": edited}
        else:
            found = {"gone": sorted(set(old) - set(new)), "made": sorted(set(new) - set(old))}
        if any(found.values()):
            out[key] = found
    return out
