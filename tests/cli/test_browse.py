"""``list``, ``get`` and ``categories`` through ``main`` against a real sandbox over HTTP."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

Runner = Callable[..., Any]


@pytest.fixture
def library(sandbox_env: Any) -> dict[str, Any]:
    """A category tree with entries: Root>Courses (3 entries) and Root>Courses>Bio (2)."""
    courses = sandbox_env.create_category("Root>Courses")
    bio = sandbox_env.create_category("Root>Courses>Bio")
    return {
        "courses": courses,
        "bio": bio,
        "course_entries": sandbox_env.seed_entries(courses, 3, name_prefix="course"),
        "bio_entries": sandbox_env.seed_entries(bio, 2, name_prefix="bio"),
    }


def test_list_a_category_by_path_as_json(cli: Runner, library: dict[str, Any]) -> None:
    result = cli("list", "--category", "Root>Courses", "--json")
    assert result.code == 0, result.err
    records = result.json_lines()
    assert sorted(r["id"] for r in records) == sorted(library["course_entries"])
    assert all(r["status"] == "READY" for r in records)
    wider = cli("--json", "list", "-c", str(library["courses"]), "--subcategories").json_lines()
    assert len(wider) == 5


def test_list_all_as_csv_and_the_page_summary(cli: Runner, library: dict[str, Any]) -> None:
    result = cli("list", "--category", str(library["bio"]), "--all", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert sorted(r["id"] for r in rows) == sorted(library["bio_entries"])
    paged = cli("list", "--category", "Root>Courses", "--limit", "2")
    assert paged.code == 0
    assert "2 of 3 entries" in paged.err
    assert "--all" in paged.err


def test_list_an_unknown_category_is_not_found(cli: Runner, library: dict[str, Any]) -> None:
    result = cli("list", "--category", "Root>Nope")
    assert result.code == 5
    assert "Root>Nope" in result.err
    assert "Traceback" not in result.err


def test_get_reports_missing_ids_and_exits_partial(cli: Runner, library: dict[str, Any]) -> None:
    wanted = library["course_entries"][0]
    result = cli("get", wanted, "0_missing1", "--json")
    assert result.code == 3
    assert [r["id"] for r in result.json_lines()] == [wanted]
    assert '"item": "0_missing1"' in result.err
    assert cli("get", "0_missing1").code == 5


def test_categories_flat_and_tree(cli: Runner, library: dict[str, Any]) -> None:
    records = cli("categories", "--json").json_lines()
    by_name = {r["full_name"]: r for r in records}
    assert by_name["Root>Courses>Bio"]["direct_entries_count"] == 2
    assert by_name["Root>Courses"]["entries_count"] == 5
    tree = cli("categories", "--tree", "--root", "Root>Courses")
    assert tree.code == 0
    assert "Bio" in tree.out and "Courses" in tree.out


def test_auth_failure_is_exit_4(cli: Runner, sandbox_env: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "wrong-secret")
    result = cli("list")
    assert result.code == 4, result.err
    assert "wrong-secret" not in result.err


def test_unreachable_server_is_exit_6(cli: Runner, monkeypatch: Any) -> None:
    monkeypatch.setenv("KALTURA_SERVICE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("KALTURA_PARTNER_ID", "1")
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "s")
    result = cli("categories")
    assert result.code == 6, result.err


@pytest.mark.parametrize("fmt", ["--json", "--format=csv", "--format=table"])
def test_a_page_that_is_not_everything_says_so_on_stderr(
    cli: Runner, library: dict[str, Any], fmt: str
) -> None:
    result = cli("list", "-c", "Root>Courses", "--limit", "2", fmt)
    assert result.code == 0, result.err
    if fmt == "--json":
        (notice,) = [json.loads(line) for line in result.err.splitlines()]
        assert (notice["notice"], notice["shown"], notice["total"]) == ("more", 2, 3)
        message = notice["message"]
    else:
        message = result.err
    assert "2 of 3 entries" in message and "--page 2" in message and "--all" in message
    rest = cli("list", "-c", "Root>Courses", "--limit", "2", "--page", "2", fmt)
    assert "more" not in rest.err and "--page" not in rest.err


def test_a_wrong_secret_names_its_likely_causes_not_a_variable_already_set(
    cli: Runner, sandbox_env: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "not-the-partners-secret")
    result = cli("--json", "categories")
    assert result.code == 4
    error = json.loads(result.err)
    assert "set KALTURA_ADMIN_SECRET" not in result.err
    assert f"partner {sandbox_env.partner_id}" in error["message"]
    assert "secret is not that partner's" in error["message"]
    assert "KALTURA_PARTNER_ID" in error["fix"] and "KALTURA_ADMIN_SECRET" in error["fix"]
    assert "not-the-partners-secret" not in result.err


def test_a_partner_id_that_does_not_exist_is_named(
    cli: Runner, sandbox_env: Any, monkeypatch: Any
) -> None:
    result = cli("--partner-id", "987654", "categories")
    assert result.code == 4
    assert "no partner 987654" in result.err and "--partner-id" in result.err


def test_a_clock_far_behind_the_servers_is_named_with_the_gap(
    cli: Runner, sandbox_env: Any
) -> None:
    sandbox_env.clock.advance(2 * 86400 + 3600)  # the server's clock runs 2 days and 1 hour ahead
    result = cli("--json", "categories")
    assert result.code == 4
    error = json.loads(result.err)
    assert "clock is 2.0 days behind the server's" in error["message"]
    assert "set KALTURA_ADMIN_SECRET" not in result.err and "ntp" in error["fix"]


def test_get_shows_the_content_version_replacement_and_download_url(
    cli: Runner, sandbox_env: Any, tmp_path: Any
) -> None:
    from tests.integration.sync_support import media

    sandbox_env.create_category("Talks")
    # an image: its content is the entry's data file, whose version ``version`` is (a video's
    # replacement relinks its flavors and leaves it)
    made = cli("--json", "upload", str(media(tmp_path, "talk.jpg")), "-c", "Talks")
    entry_id = made.json_lines()[0]["entry_id"]
    (first,) = cli("--json", "get", entry_id).json_lines()
    assert first["replacement_status"] == "NONE"
    assert entry_id in first["download_url"] and "/format/download/" in first["download_url"]
    new = media(tmp_path, "talk-v2.jpg", 150_000)
    assert cli("replace", entry_id, str(new), "--wait-ready", "-q").code == 0
    (second,) = cli("--json", "get", entry_id).json_lines()
    assert second["version"] != first["version"]
    table = cli("get", entry_id)
    header = table.out.splitlines()[0].split()
    assert header == [
        "id", "name", "status", "version", "size", "replacement_status", "download_url"
    ]  # fmt: skip
    assert second["download_url"] in table.out
    assert second["size"] is None and second["source_version"] is None  # an image: no flavor
