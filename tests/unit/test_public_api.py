"""The public surface: ``__all__`` sorted, every name importable, lazily."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import kaltura_mm


def test_all_is_sorted_and_matches_the_exports() -> None:
    assert kaltura_mm.__all__ == sorted(kaltura_mm.__all__)
    assert set(kaltura_mm.__all__) == set(kaltura_mm._EXPORTS) | {"__version__"}


def test_every_public_name_resolves_to_its_module() -> None:
    for name, module in kaltura_mm._EXPORTS.items():
        value = getattr(kaltura_mm, name)
        assert getattr(importlib.import_module(module), name) is value, name
        if isinstance(value, type) or inspect.isfunction(value):
            assert value.__module__ == module, name  # defined there, not merely imported


def test_import_is_lazy() -> None:
    code = (
        "import sys, kaltura_mm; "
        "heavy = {'httpx', 'tenacity', 'cryptography', 'click', 'rich'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_runtime_exports_what_it_lists() -> None:
    from kaltura_mm import runtime

    assert runtime.__all__ == sorted(runtime._EXPORTS)
    for name, module in runtime._EXPORTS.items():
        assert getattr(runtime, name) is getattr(importlib.import_module(module), name)
