"""mkdocs hook: a ``::: package`` directive of a package that loads its names lazily documents
exactly that package's ``__all__``.

Such a package (``kaltura_mm``, ``kaltura_mm.runtime``) keeps one list of its public names
(``_EXPORTS``) and makes ``__all__`` from it when it loads, which the docs' static reader cannot
see. This hook hands the list to mkdocstrings as the directive's ``members``: no copy of it.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# A bare directive on a line of its own (one with options of its own is left alone).
DIRECTIVE = re.compile(r"^::: (kaltura_mm(?:\.\w+)*)\n(?!    )", re.MULTILINE)


def _with_members(match: re.Match[str]) -> str:
    try:
        package = importlib.import_module(match.group(1))
    except ImportError:  # a class or a function (``::: kaltura_mm.sandbox.app.Sandbox``)
        return match.group(0)
    if not hasattr(package, "_EXPORTS"):
        return match.group(0)
    names = [name for name in package.__all__ if name != "__version__"]
    members = "".join(f"        - {name}\n" for name in names)
    return f"{match.group(0)}    options:\n      members:\n{members}"


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Add each lazy package's public names as ``members`` to its ``:::`` directives."""
    return DIRECTIVE.sub(_with_members, markdown)
