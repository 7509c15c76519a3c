"""The API pages document exactly each lazy package's one list of public names."""

from __future__ import annotations

from pathlib import Path

import kaltura_mm
from docs_hooks.exports import on_page_markdown
from kaltura_mm import runtime

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _members(rendered: str, package: str) -> list[str]:
    block = rendered.split(f"::: {package}\n    options:\n      members:\n", 1)[1]
    names = []
    for line in block.splitlines():
        if not line.startswith("        - "):
            break
        names.append(line.strip()[2:])
    return names


def test_the_reference_page_lists_every_public_name_as_a_member() -> None:
    rendered = on_page_markdown((DOCS / "reference.md").read_text(encoding="utf-8"))
    assert _members(rendered, "kaltura_mm") == [n for n in kaltura_mm.__all__ if n != "__version__"]


def test_the_client_page_lists_the_runtimes_names() -> None:
    rendered = on_page_markdown((DOCS / "client.md").read_text(encoding="utf-8"))
    assert _members(rendered, "kaltura_mm.runtime") == runtime.__all__
    assert "::: kaltura_mm.runtime.effects\n\n" in rendered  # a plain module: left alone


def test_a_directive_with_options_of_its_own_or_of_a_class_is_left_alone() -> None:
    page = "::: kaltura_mm\n    options:\n      show_source: true\n"
    assert on_page_markdown(page) == page
    page = "::: kaltura_mm.sandbox.app.Sandbox\n\n"
    assert on_page_markdown(page) == page
