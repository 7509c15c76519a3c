"""mkdocs hook: the API reference page documents exactly ``kaltura_mm.__all__``.

The package keeps one list of its public names (``kaltura_mm._EXPORTS``); ``__all__`` is made
from it when the package loads, which the docs' static reader cannot see. This hook hands that
list to mkdocstrings as the page's ``members``, so the page follows the list with no copy of it.
"""

from __future__ import annotations

from typing import Any

import kaltura_mm

DIRECTIVE = "::: kaltura_mm\n"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Add the public names as ``members`` to the reference page's ``::: kaltura_mm``."""
    if page.file.src_uri != "reference.md":
        return markdown
    if DIRECTIVE not in markdown:
        raise ValueError(f"docs/reference.md must hold {DIRECTIVE.strip()!r} on a line of its own")
    names = [name for name in kaltura_mm.__all__ if name != "__version__"]
    members = "".join(f"        - {name}\n" for name in names)
    return markdown.replace(DIRECTIVE, f"{DIRECTIVE}    options:\n      members:\n{members}", 1)
