"""Names imported on first use: the one mechanism behind every package's exports and the CLI.

``import kaltura_mm`` and ``kaltura-mm --help`` stay fast because nothing heavy (httpx, the
models, the flows, a command's module) is imported until a name is used. A package lists its
public names once, ``name -> module``, and takes its ``__all__``, ``__getattr__`` and ``__dir__``
(PEP 562) from ``exports``; the command line loads a command with ``load``.

Type checkers do not run this: each package also imports its names under ``if TYPE_CHECKING:``
(``from module import Name as Name``), and tests/unit/test_public_api.py checks that block
against the package's list.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def load(path: str) -> Any:
    """Return the object ``"package.module.name"`` names, importing its module."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def exports(
    package: str,
    names: Mapping[str, str],
    *,
    aliases: Mapping[str, str] | None = None,
    eager: Iterable[str] = (),
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``__all__``, ``__getattr__`` and ``__dir__`` for ``package``.

    ``names`` maps each public name to the module that defines it; ``aliases`` are older names
    (importable, not listed); ``eager`` names the package defines itself (``__version__``).
    A name is imported on first access and kept in the package, so the second access is plain.
    """
    public = sorted([*names, *eager])
    older = dict(aliases or {})

    def __getattr__(name: str) -> Any:
        module = names.get(name) or older.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return list(public)

    return public, __getattr__, __dir__
