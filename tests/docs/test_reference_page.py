"""The API reference page documents exactly the package's one list of public names."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import kaltura_mm
from docs_hooks.reference import on_page_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _page(src_uri: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri))


def test_the_reference_page_lists_every_public_name_as_a_member() -> None:
    markdown = (DOCS / "reference.md").read_text(encoding="utf-8")
    rendered = on_page_markdown(markdown, _page("reference.md"))
    members = [line.strip()[2:] for line in rendered.splitlines() if line.startswith("        - ")]
    assert members == [name for name in kaltura_mm.__all__ if name != "__version__"]
    assert "::: kaltura_mm\n    options:\n      members:\n" in rendered


def test_other_pages_are_left_as_they_are() -> None:
    assert on_page_markdown("::: kaltura_mm\n", _page("client.md")) == "::: kaltura_mm\n"


def test_a_reference_page_without_the_directive_is_refused() -> None:
    with pytest.raises(ValueError, match="must hold '::: kaltura_mm'"):
        on_page_markdown("# API reference\n", _page("reference.md"))
