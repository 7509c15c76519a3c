"""``update``, ``replace``, ``add`` and ``categories create|rename|...`` through ``main``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.ground import in_category, open_tokens
from tests.integration.sync_support import linked, media, writes

Runner = Callable[..., Any]


def _row(sb: Any, entry_id: str) -> dict[str, Any]:
    return dict(sb.core.store.one("SELECT * FROM entries WHERE id = ?", (entry_id,)))


def test_update_by_id_with_a_dry_run_first(cli: Runner, sandbox_env: Any) -> None:
    a, b = sandbox_env.seed_entries(None, 2)
    dry = cli("--json", "update", a, b, "--tags", "Bio, Lab", "--name", "entry 2", "--dry-run")
    assert dry.code == 0, dry.err
    lines = dry.json_lines()
    assert [line["status"] for line in lines] == ["would_change", "would_change"]
    assert lines[0]["changes"] == {"name": ["entry 1", "entry 2"], "tags": ["", "Bio,Lab"]}
    assert lines[1]["changes"] == {"tags": ["", "Bio,Lab"]}  # its name is that already
    assert writes(sandbox_env) == 0
    done = cli("--json", "update", a, b, "--tags", "Bio, Lab", "--name", "entry 2")
    assert [line["status"] for line in done.json_lines()] == ["done", "done"]
    assert (_row(sandbox_env, a)["name"], _row(sandbox_env, a)["tags"]) == ("entry 2", "bio, lab")
    again = cli("--json", "update", a, b, "--tags", "lab,bio", "--name", "entry 2")
    assert [line["status"] for line in again.json_lines()] == ["already_done"] * 2
    removed = cli("update", a, "--remove-tags", "BIO", "--add-tags", "new", "-q")
    assert removed.code == 0
    assert set(str(_row(sandbox_env, a)["tags"]).split(", ")) == {"lab", "new"}


def test_update_from_an_edited_list_export(cli: Runner, sandbox_env: Any, tmp_path: Path) -> None:
    category = sandbox_env.create_category("Talks")
    ids = sandbox_env.seed_entries(category, 3)
    exported = cli("list", "-c", "Talks", "--format", "csv")
    assert exported.code == 0, exported.err
    edited = tmp_path / "edited.csv"
    edited.write_text(exported.out.replace("entry 2", "Renamed").replace(",,", ",new desc,", 1))
    result = cli("--json", "update", "--from-file", str(edited))
    assert result.code == 0, result.err
    by_id = {line["entry_id"]: line for line in result.json_lines()}
    assert _row(sandbox_env, ids[1])["name"] == "Renamed"
    assert by_id[ids[1]]["status"] == "done"
    assert sum(line["status"] == "done" for line in by_id.values()) >= 1
    missing = tmp_path / "missing.jsonl"
    missing.write_text(json.dumps({"id": "0_nothere", "name": "x1"}) + "\n")
    failed = cli("update", "--from-file", str(missing))
    assert failed.code == 5


def test_update_refuses_what_cannot_be_done(cli: Runner, sandbox_env: Any, tmp_path: Path) -> None:
    (entry,) = sandbox_env.seed_entries(None, 1)
    assert cli("update", entry).code == 2  # nothing to change
    bad = tmp_path / "bad.csv"
    bad.write_text("id,colour\n0_a,red\n")
    refused = cli("update", "--from-file", str(bad))
    assert refused.code == 2 and "unknown columns colour" in refused.err


def test_replace_keeps_the_entry(cli: Runner, sandbox_env: Any, tmp_path: Path) -> None:
    category = sandbox_env.create_category("Talks")
    made = cli("--json", "upload", str(media(tmp_path, "talk.mp4")), "-c", "Talks")
    entry_id = made.json_lines()[0]["entry_id"]
    new = media(tmp_path, "talk-v2.mp4", 250_000)
    result = cli("--json", "replace", entry_id, str(new), "--chunk-size", "100kB", "--wait-ready")
    assert result.code == 0, result.err
    (line,) = result.json_lines()
    assert (line["entry_id"], line["status"], line["bytes"]) == (entry_id, "replaced", 250_000)
    assert sandbox_env.entry_bytes(entry_id).read_bytes() == new.read_bytes()
    assert in_category(sandbox_env, category) == [entry_id]
    assert open_tokens(sandbox_env) == []


def test_replace_refused_by_the_account_says_what_to_do(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Talks")
    made = cli("--json", "upload", str(media(tmp_path, "talk.mp4")), "-c", "Talks", "--wait-ready")
    entry_id = made.json_lines()[0]["entry_id"]
    sandbox_env.set_entry_replacement(False)
    refused = cli("--json", "replace", entry_id, str(media(tmp_path, "v2.mp4")))
    assert refused.code == 1
    (line,) = refused.json_lines()
    assert line["error"] == "FEATURE_FORBIDDEN"
    assert "ask Kaltura to enable entry replacement" in line["message"]
    missing = cli("replace", "0_nothere", str(media(tmp_path, "v3.mp4")))
    assert missing.code == 5


def test_add_puts_entries_in_a_category_without_moving_them(cli: Runner, sandbox_env: Any) -> None:
    talks = sandbox_env.create_category("Talks")
    sandbox_env.create_category("Featured")
    a, b = sandbox_env.seed_entries(talks, 2)
    first = cli("--json", "add", a, b, "-c", "Featured", "--yes")
    assert first.code == 0, first.err
    assert [(r["action"], r["status"]) for r in first.json_lines()] == [("add", "done")] * 2
    assert linked(sandbox_env, a) == {"Talks", "Featured"}
    again = cli("--json", "add", a, "-c", "Featured", "--yes")
    assert [r["status"] for r in again.json_lines()] == ["already_done"]
    assert cli("add", a).code == 2  # which category?


@pytest.mark.kaltura_sandbox(index_lag=600)
def test_categories_create_rename_move_delete(cli: Runner, sandbox_env: Any) -> None:
    made = cli("--json", "categories", "create", "Courses>Bio>Lab")
    assert made.code == 0, made.err
    (line,) = made.json_lines()
    assert (line["full_name"], line["status"]) == ("Courses>Bio>Lab", "created")
    # Within the index's lag: the ids kept in the state database find them, nothing is re-made.
    again = cli("--json", "categories", "create", "Courses>Bio>Lab")
    assert [r["status"] for r in again.json_lines()] == ["exists"]
    assert cli("categories", "rename", "Courses>Bio", "Biology", "-q").code == 0
    archive = sandbox_env.create_category("Archive")
    moved = cli("--json", "categories", "move", "Courses", "--to", str(archive))
    assert moved.json_lines()[0]["full_name"] == "Archive>Courses"
    lab = line["id"]
    sandbox_env.seed_entries(lab, 2)
    sandbox_env.clock.advance(5)  # the move's batch job
    refused = cli("categories", "delete", str(lab))
    assert refused.code == 2 and "2 entries" in refused.err and "--force" in refused.err
    dry = cli("--json", "categories", "delete", str(lab), "--dry-run")
    assert dry.json_lines()[0]["status"] == "would_delete"
    gone = cli("--json", "categories", "delete", str(lab), "--force", "--yes")
    assert gone.code == 0, gone.err
    said = gone.json_lines()[0]["message"]  # told in the past: the category is gone
    assert "held 2 entries" in said and "moved to Archive>Courses>Biology" in said
    assert "holds" not in said and "none was deleted" in said
    assert cli("categories", "--root", str(archive), "--format", "csv").code == 0
