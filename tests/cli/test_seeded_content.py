"""A seeded sandbox account shows what a real one does: its READY entries hold content, so
``get`` reports their file's size, its source version and a download URL that serves it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

Runner = Callable[..., Any]


def test_get_on_a_seeded_entry_shows_its_content(cli: Runner, sandbox_env: Any) -> None:
    category = sandbox_env.create_category("Seeded")
    (video,) = sandbox_env.seed_entries(category, 1, name_prefix="lecture")
    (poster,) = sandbox_env.seed_entries(category, 1, media_type=2, name_prefix="poster")
    (shown,) = cli("--json", "get", video).json_lines()
    assert (shown["status"], shown["size"], shown["source_version"]) == ("READY", 2048, 2)
    served = httpx.get(shown["download_url"], follow_redirects=True)
    assert served.status_code == 200 and len(served.content) == 2048
    (image,) = cli("--json", "get", poster).json_lines()
    assert image["download_url"] and image["size"] is None  # an image: no flavor asset
    assert image["version"] >= 100_012  # its data file's number, not a count of uploads
