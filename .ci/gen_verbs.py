"""Write the verbs of ``Client`` and ``AsyncClient`` as plain methods, from ``kaltura_mm.verbs``.

Each verb becomes a method with its builder's parameters (as written there, defaults included)
and its result type, calling the builder and running what it builds: ``return self.run(...)``
on ``Client``, ``return await self.run(...)`` on ``AsyncClient`` (``async for ... yield`` for a
stream). The files are generated so that each verb is declared once and both clients cannot
drift; ``--check`` fails when they are not what this script would write (a test runs it).

Run from the repository root: ``python .ci/gen_verbs.py`` (or ``--check``).
"""

from __future__ import annotations

import ast
import builtins
import enum
import importlib
import inspect
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kaltura_mm.verbs import GROUPS, SERVICES, VERBS, Verb  # noqa: E402

OUT = {
    "sync": ROOT / "kaltura_mm/client/sync_verbs.py",
    "async": ROOT / "kaltura_mm/client/async_verbs.py",
}
SHARED = (
    ("Flow", "kaltura_mm.runtime.effects"),
    ("Stream", "kaltura_mm.runtime.effects"),
    ("Call", "kaltura_mm.protocol.calls"),
    ("Progress", "kaltura_mm.protocol.calls"),
)
WRAPPERS = {"Flow", "Stream", "Call"}


class Imports:
    """The names the generated annotations use, each imported from the module defining it."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # name -> module
        self.modules: set[str] = set()
        self.runtime: dict[str, str] = {}  # names defaults need when the module loads

    def need(self, name: str, module: str) -> None:
        known = self.names.setdefault(name, module)
        if known != module:
            raise SystemExit(f"{name} comes from both {known} and {module}: alias one")

    def lines(self) -> list[str]:
        by_module: dict[str, list[str]] = {}
        for name, module in self.names.items():
            by_module.setdefault(module, []).append(name)
        out = [f"    import {m}" for m in sorted(self.modules)]
        for module in sorted(by_module):
            out.append(f"    from {module} import {', '.join(sorted(by_module[module]))}")
        return out


def _module_tree(module: str) -> ast.Module:
    return ast.parse(inspect.getsource(importlib.import_module(module)))


def origin(module: str, name: str) -> tuple[str, bool]:
    """Return (module defining ``name`` as seen from ``module``, whether it is a module)."""
    for node in ast.walk(_module_tree(module)):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    if alias.asname and alias.asname != alias.name:
                        raise SystemExit(f"{module} imports {name} under an alias")
                    target = f"{node.module}.{alias.name}"
                    try:
                        importlib.import_module(target)
                        return target, True
                    except ImportError:
                        return origin(node.module, alias.name)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (alias.asname or alias.name).split(".")[0] == name:
                    return alias.name.split(".")[0], True
    return module, False


def _names(expr: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def _annotation(text: str, module: str, imports: Imports) -> str:
    expr = ast.parse(text, mode="eval").body
    for name in _names(expr):
        if hasattr(builtins, name) or name == "Any":  # ``Any`` is imported at run time
            continue
        where, is_module = origin(module, name)
        if is_module:
            imports.modules.add(where)
        else:
            imports.need(name, where)
    return ast.unparse(expr)


def _result(func: Callable[..., Any], verb: Verb) -> str:
    """Return the annotation text of what the verb gives: the builder's ``Flow[T]``'s ``T``."""
    overloads = typing.get_overloads(func)
    text = (overloads[0] if overloads else func).__annotations__["return"]
    expr = ast.parse(text, mode="eval").body
    if not (isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name)):
        raise SystemExit(f"{verb.builder} returns {text}, not a Flow, Stream or Call")
    if expr.value.id not in WRAPPERS:
        raise SystemExit(f"{verb.builder} returns {text}, not a Flow, Stream or Call")
    return ast.unparse(expr.slice)


def _default(value: Any, verb: Verb, imports: Imports) -> str:
    if isinstance(value, enum.Enum):  # an enum of kaltura_mm.enums: light to import
        kind = type(value)
        imports.runtime[kind.__name__] = kind.__module__
        return f"{kind.__name__}.{value.name}"
    text = repr(value)
    try:
        same = ast.literal_eval(text) == value
    except ValueError:
        same = False
    if not same:
        raise SystemExit(f"{verb.builder}: default {text} is not a literal")
    return text


class Method:
    """One verb's parameters, arguments and result, as source text."""

    def __init__(self, verb: Verb, imports: Imports) -> None:
        module, name = verb.builder.split(":")
        func = getattr(importlib.import_module(module), name)
        self.verb, self.module, self.name = verb, module, name
        # A paragraph about a parameter the verb does not take (``stream=True``) is left out.
        paragraphs = (inspect.getdoc(func) or "").split("\n\n")
        hidden = tuple(f"``{name}" for name in verb.hidden)
        self.doc = "\n\n".join(p for p in paragraphs if not any(h in p for h in hidden))
        if verb.kind == "call":  # a service's builder builds the call the method sends
            self.doc = self.doc.replace("Build the call ", "Send the call ", 1)
        params, args = ["self"], []
        star = False
        for p in inspect.signature(func).parameters.values():
            if p.name in verb.hidden:
                continue
            text = p.name
            if p.annotation is not inspect.Parameter.empty:
                text += f": {_annotation(p.annotation, module, imports)}"
            if p.default is not inspect.Parameter.empty:
                text += f" = {_default(p.default, verb, imports)}"
            if p.kind is p.KEYWORD_ONLY and not star:
                params.append("*")
                star = True
            if p.kind is p.VAR_POSITIONAL:
                params.append("*" + text)
                args.append("*" + p.name)
                star = True
            elif p.kind is p.VAR_KEYWORD:
                params.append("**" + text)
                args.append("**" + p.name)
            else:
                params.append(text)
                args.append(p.name if p.kind is not p.KEYWORD_ONLY else f"{p.name}={p.name}")
        self.params = ", ".join(params)
        self.args = ", ".join(args)
        self.result = _annotation(_result(func, verb), module, imports)

    def source(self, mode: str, on: str) -> str:
        kind = self.verb.kind
        built = f"_build({self.args})"
        action = {"run": "run", "stream": "iterate", "call": "call"}[kind]
        head = "def"
        if mode == "sync":
            result = f"Iterator[{self.result}]" if kind == "stream" else self.result
            body = f"return {on}.{action}({built})"
        elif kind == "stream":
            head, result = "async def", f"AsyncIterator[{self.result}]"
            body = f"async for item in {on}.iterate({built}):\n            yield item"
        else:
            head, result = "async def", self.result
            body = f"return await {on}.{action}({built})"
        doc = self.doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        doc = "\n".join(("        " + line) if line else "" for line in doc.splitlines()).lstrip()
        return (
            f"    {head} {self.verb.name}({self.params}) -> {result}:\n"
            f'        """{doc}\n        """\n'
            f"        from {self.module} import {self.name} as _build\n\n"
            f"        {body}\n"
        )


def _group(cls: str, doc: str, methods: list[Method], mode: str, runner: str) -> str:
    name = cls if mode == "sync" else f"Async{cls}"
    body = "\n".join(m.source(mode, "self._client") for m in methods)
    return (
        f"class {name}:\n"
        f'    """{doc}"""\n\n'
        f"    def __init__(self, client: {runner}) -> None:\n"
        f'        """Bind the actions to ``client``."""\n'
        f"        self._client = client\n\n{body}"
    )


RUNNERS = {
    "sync": '''\
class SyncRunner(Protocol):
    """What the verbs of a ``Client`` run on: its ``run``, ``iterate`` and ``call``."""

    def run(self, flow: Flow[T], *, progress: Progress | None = None) -> T: ...
    def iterate(self, flow: Stream[I], *, progress: Progress | None = None) -> Iterator[I]: ...
    def call(self, call: Call[T], *, progress: Progress | None = None) -> T: ...
''',
    "async": '''\
class AsyncRunner(Protocol):
    """What the verbs of an ``AsyncClient`` run on: its ``run``, ``iterate`` and ``call``."""

    async def run(self, flow: Flow[T], *, progress: Progress | None = None) -> T: ...
    def iterate(
        self, flow: Stream[I], *, progress: Progress | None = None
    ) -> AsyncIterator[I]: ...
    async def call(self, call: Call[T], *, progress: Progress | None = None) -> T: ...
''',
}


def generate(mode: str) -> str:
    """Return the source of the verbs module for ``mode`` (``sync`` or ``async``)."""
    imports = Imports()
    for name, module in SHARED:
        imports.need(name, module)
    runner = "SyncRunner" if mode == "sync" else "AsyncRunner"
    iterator = "Iterator" if mode == "sync" else "AsyncIterator"
    imports.need(iterator, "collections.abc")
    prefix = "" if mode == "sync" else "Async"
    verbs_name = "SyncVerbs" if mode == "sync" else "AsyncVerbs"
    top = [Method(v, imports) for v in VERBS]
    groups = {
        attr: (cls, doc, [Method(v, imports) for v in verbs])
        for attr, (cls, doc, verbs) in {**GROUPS, **SERVICES}.items()
    }
    client = "Client" if mode == "sync" else "AsyncClient"
    properties = "".join(
        f"\n    @functools.cached_property\n"
        f"    def {attr}(self) -> {prefix}{cls}:\n"
        f'        """{doc}"""\n'
        f"        return {prefix}{cls}(self)\n"
        for attr, (cls, doc, _) in groups.items()
    )
    verbs_class = (
        f"class {verbs_name}({runner}):\n"
        f'    """The verbs of ``{client}`` (``kaltura_mm.verbs`` says which is which)."""\n\n'
        + "\n".join(m.source(mode, "self") for m in top)
        + properties
    )
    classes = [_group(cls, doc, methods, mode, runner) for cls, doc, methods in groups.values()]
    runtime = "".join(f"from {m} import {n}\n" for n, m in sorted(imports.runtime.items()))
    for name in imports.runtime:
        imports.names.pop(name, None)
    header = f'''\
"""The verbs of ``{client}``, written by ``.ci/gen_verbs.py`` from ``kaltura_mm.verbs``.

Do not edit: run ``python .ci/gen_verbs.py``. Each method imports its builder when first called,
so that building a client stays fast. The docstrings are the builders' own.
"""

# ruff: noqa: E501

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

@@RUNTIME@@
if TYPE_CHECKING:
{chr(10).join(imports.lines())}

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a stream


'''
    header = header.replace("@@RUNTIME@@", runtime)
    source = header + RUNNERS[mode] + "\n\n" + verbs_class + "\n\n" + "\n\n".join(classes)
    for step in (["format"], ["check", "--fix", "--quiet", "--exit-zero"], ["format"]):
        source = _ruff(step, source, OUT[mode])
    return source


def _ruff(step: list[str], source: str, path: Path) -> str:
    """Return ``source`` as ``ruff`` (format, or check --fix: imports sorted) leaves it."""
    done = subprocess.run(  # noqa: S603 - this interpreter's own ruff
        [sys.executable, "-m", "ruff", *step, "--stdin-filename", str(path), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def main(argv: list[str]) -> int:
    """Write the two modules, or with ``--check`` report whether they are current."""
    stale = []
    for mode, path in OUT.items():
        text = generate(mode)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date (run python .ci/gen_verbs.py): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
