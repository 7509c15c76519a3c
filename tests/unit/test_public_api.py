"""The public surface: one list per package, and ``__all__``, ``dir()``, the names importable at
run time and the names a type checker sees all agree with it; every name loads lazily.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import kaltura_mm
from kaltura_mm import client, lazy_import, runtime

REPO = Path(__file__).resolve().parents[2]
PACKAGES = [kaltura_mm, runtime]


def _statically_imported(package: ModuleType) -> set[tuple[str, str]]:
    """Return ``(module, name)`` for each ``from module import name as name`` type checkers see."""
    tree = ast.parse(Path(package.__file__ or "").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
    )
    found = set()
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module, ast.unparse(node)
        for alias in node.names:
            # ``as`` the same name: an explicit re-export under ``mypy --strict``
            assert alias.asname == alias.name, ast.unparse(node)
            found.add((node.module, alias.name))
    return found


def _listed(package: ModuleType) -> dict[str, str]:
    return {**package._EXPORTS, **getattr(package, "_ALIASES", {})}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_what_type_checkers_see_is_the_list(package: ModuleType) -> None:
    wanted = {(module, name) for name, module in _listed(package).items()}
    seen = _statically_imported(package)
    paste = "\n".join(f"    from {m} import {n} as {n}" for m, n in sorted(wanted))
    assert seen == wanted, f"make the TYPE_CHECKING block of {package.__name__}:\n{paste}"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_all_and_dir_are_the_list(package: ModuleType) -> None:
    own = {"__version__"} if package is kaltura_mm else set()
    assert package.__all__ == sorted({*package._EXPORTS, *own})
    assert dir(package) == package.__all__
    assert not set(package.__all__) & set(getattr(package, "_ALIASES", {}))


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_name_resolves_to_the_module_that_defines_it(package: ModuleType) -> None:
    for name, module in _listed(package).items():
        value = getattr(package, name)
        assert getattr(importlib.import_module(module), name) is value, name
        if name in package._EXPORTS and (isinstance(value, type) or inspect.isfunction(value)):
            assert value.__module__ == module, name  # defined there, not merely imported


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="module 'kaltura_mm' has no attribute 'Clinet'"):
        _ = kaltura_mm.Clinet  # type: ignore[attr-defined]
    with pytest.raises(ImportError):
        from kaltura_mm import Clinet  # type: ignore[attr-defined]  # noqa: F401


def test_the_older_names_are_the_new_classes() -> None:
    assert kaltura_mm.ActionNotAllowed is kaltura_mm.ActionNotAllowedError
    assert kaltura_mm.AmbiguousCategory is kaltura_mm.AmbiguousCategoryError
    assert kaltura_mm.CategoryNotFound is kaltura_mm.CategoryNotFoundError


def _loads_by_itself(path: Path) -> bool:
    """Return whether ``path`` imports by a computed name or defines a module ``__getattr__``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    getattr_defined = any(
        isinstance(node, ast.FunctionDef) and node.name == "__getattr__" for node in tree.body
    )
    return getattr_defined or "importlib.import_module" in ast.unparse(tree)


def test_one_lazy_import_mechanism() -> None:
    """Every package's ``__getattr__`` is the one ``lazy_import`` makes, and nothing else imports
    by a computed name: one place to look when a name does not load."""
    assert kaltura_mm.__getattr__.__module__ == lazy_import.__name__
    assert runtime.__getattr__.__module__ == lazy_import.__name__
    assert client.__getattr__.__module__ == lazy_import.__name__
    own = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "kaltura_mm").rglob("*.py"))
        if _loads_by_itself(path)
    ]
    assert set(own) == {"kaltura_mm/lazy_import.py"}


def test_import_is_lazy() -> None:
    code = (
        "import sys, kaltura_mm; "
        "heavy = {'httpx', 'tenacity', 'cryptography', 'click', 'rich'} & set(sys.modules); "
        "ours = [m for m in sys.modules if m.startswith('kaltura_mm')]; "
        "print(sorted(heavy), sorted(ours))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] ['kaltura_mm', 'kaltura_mm.lazy_import']"


def test_a_client_with_the_budget_off_loads_neither_the_budget_nor_the_store() -> None:
    # Client() loaded the budget's tables, the store and the upload engine (83 ms of 146) even
    # with the budget off: import + Client() went from 0.24x to 0.56x of the official client's.
    code = (
        "import os, sys, kaltura_mm; os.environ.pop('KALTURA_MM_SHARED_BUDGET', None); "
        "kaltura_mm.Client(service_url='https://www.kaltura.com', ks='x'); "
        "print(sorted(m for m in sys.modules if m.startswith(('kaltura_mm.budget.ledger', "
        "'kaltura_mm.store', 'kaltura_mm.upload', 'kaltura_mm.sync'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_star_import_gives_the_list() -> None:
    namespace: dict[str, object] = {}
    exec("from kaltura_mm import *", namespace)
    assert sorted(set(namespace) - {"__builtins__"}) == kaltura_mm.__all__


def test_mypy_strict_sees_every_public_name_and_no_other(tmp_path: Path) -> None:
    """A script importing every name in ``__all__`` type-checks; a misspelt name does not."""
    script = tmp_path / "every_name.py"
    names = ", ".join(kaltura_mm.__all__)
    script.write_text(
        f"from kaltura_mm import {names}\n"
        "from kaltura_mm import *\n"
        "from kaltura_mm.runtime import Machine, Settings\n"
        "import kaltura_mm\n"
        "client: Client\n"
        "reveal_type(upload_many)\n"
        "kaltura_mm.Clinet\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "c"), str(script)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    lines = [line.split(": ", 1)[1] for line in done.stdout.splitlines() if ": " in line]
    assert lines[0].startswith('note: Revealed type is "def '), done.stdout
    assert len(lines) == 2 and done.returncode == 1, done.stdout
    assert lines[1].startswith('error: Module has no attribute "Clinet"'), done.stdout


def _type_names(path: Path) -> list[str]:
    """Return the public classes and type aliases ``path`` defines at module level."""
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            made_by = node.value.func if isinstance(node.value, ast.Call) else None
            if isinstance(made_by, ast.Name) and made_by.id in {"TypeVar", "ParamSpec"}:
                continue  # a type variable is local to its module
            # CamelCase, not a CONSTANT: a type alias (``Progress = EntryOutcome | Sending``)
            names += [
                t.id
                for t in targets
                if isinstance(t, ast.Name) and t.id[:1].isupper() and not t.id.isupper()
            ]
    return [name for name in names if not name.startswith("_")]


def test_no_public_class_or_type_name_is_defined_twice() -> None:
    """One name, one thing: ``from kaltura_mm.x import Plan`` never means two different plans."""
    where: dict[str, list[str]] = {}
    for path in sorted((REPO / "kaltura_mm").rglob("*.py")):
        for name in _type_names(path):
            where.setdefault(name, []).append(str(path.relative_to(REPO)))
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert twice == {}
