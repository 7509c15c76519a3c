"""The runtime owns time (issue 18 A), checked by reading the source (no module is executed).

Only ``kaltura_mm/runtime/`` sleeps, builds the ``Sleep`` effect, and decides what to do when
the server's rate limiter pushes back (``ACTION_BLOCKED``, HTTP 429): a flow asks it
(``runtime.poll`` to wait for the server, ``Backoff`` and ``runtime.throttle`` after a
pushback), so that the patience bound, the client's clock (real or virtual) and ``--retries``
hold for every wait. ``errors.py`` keeps the error type; servers (the sandbox, the simulation's
model) answer ``ACTION_BLOCKED`` and are not the client. The exemptions below
say why each one is not a wait for the Kaltura server.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "kaltura_mm"
SLEEPS = {("time", "sleep"), ("asyncio", "sleep"), ("anyio", "sleep")}

SLEEP_EXEMPT = {
    # Local files, not the server: a run lock another process holds on this machine is polled
    # before any run starts (no server request, no patience, nothing a --retries could mean).
    "store/lock.py": "polls the run lock file another local process holds",
    # SQLite's switch to WAL mode fails while another local process opens the same new file.
    "store/engine.py": "retries SQLite's WAL switch against another local process",
    # `kaltura-mm sandbox`: waits for the local sandbox server process it started to listen.
    "commands/local_sandbox.py": "waits for the local sandbox server it started to listen",
}
# ``Sleep(...)`` (the effect) is built only in the runtime: a flow that waits for the server polls
# (``runtime.poll``: one schedule, one bound, one error), or asks ``runtime.throttle`` after a
# pushback. These are no wait for the server to reach a state:
SLEEP_EFFECT_EXEMPT = {
    # The batch engine paces its sends to the rate limiter's window it learned (pacing rules
    # 1-6): a send schedule, not a look at the server's state; the machine still cuts each pause
    # by the patience and the budget's turn.
    "flows/batch.py": "paces its sends to the limiter window it learned",
    # Hashing a large file yields ``Sleep(0)`` every few blocks so other flows run between them:
    # a turn given up, no time waited.
    "upload/local_file.py": "gives other flows a turn while it hashes (Sleep(0))",
}
BLOCKED_EXEMPT = {
    # The public export list names the error type; it decides nothing.
    "__init__.py": "exports ActionBlockedError",
    # The shared budget reads which calls an answer says were blocked, to teach the other
    # processes the limit (kaltura_mm.budget); the machine decides the wait and the resend.
    "budget/gate.py": "learns the shared limit from blocked answers",
}
BLOCKED_NAMES = {"ActionBlockedError", "is_throttle"}
BLOCKED_CODES = {"ACTION_BLOCKED", b"ACTION_BLOCKED"}


def _client_sources() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts and not p.is_relative_to(PACKAGE / "sandbox")
    )


def _sleeps(tree: ast.AST) -> list[str]:
    """Return each real sleep ``tree`` calls or imports (``time.sleep``, ``from time import
    sleep``...), as ``module.sleep`` at its line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in SLEEPS:
                found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if (node.module.split(".")[0], alias.name) in SLEEPS:
                    found.append(f"from {node.module} import {alias.name} (line {node.lineno})")
    return found


def _blocked_handling(tree: ast.AST) -> list[str]:
    """Return each use of the blocked error's type or test, or of the ``ACTION_BLOCKED`` code in
    code (docstrings and comments may name it)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in BLOCKED_NAMES:
            found.append(f"{node.id} (line {node.lineno})")
        elif isinstance(node, ast.Attribute) and node.attr in BLOCKED_NAMES:
            found.append(f"{node.attr} (line {node.lineno})")
        elif isinstance(node, ast.ImportFrom):
            found += [f"imports {a.name}" for a in node.names if a.name in BLOCKED_NAMES]
        elif isinstance(node, ast.Constant) and node.value in BLOCKED_CODES:
            found.append(f"{node.value!r} (line {node.lineno})")
    return found


def _sleep_effects(tree: ast.AST) -> list[str]:
    """Return each ``Sleep(...)`` effect ``tree`` builds (``Sleep(1)``, ``effects.Sleep(1)``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "Sleep":
                found.append(f"Sleep(...) (line {node.lineno})")
    return found


Finder = Callable[[ast.AST], list[str]]


def _outside_runtime(exempt: dict[str, str], find: Finder) -> list[str]:
    violations = []
    for path in _client_sources():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("runtime/") or rel in exempt:
            continue
        found = find(ast.parse(path.read_text(encoding="utf-8")))
        violations += [f"{rel}: {what}" for what in found]
    return violations


def test_only_the_runtime_sleeps() -> None:
    violations = _outside_runtime(SLEEP_EXEMPT, _sleeps)
    assert not violations, "sleeps outside kaltura_mm/runtime/ (yield Sleep(...) instead):\n" + (
        "\n".join(violations)
    )


def test_only_the_runtime_builds_sleep_effects() -> None:
    violations = _outside_runtime(SLEEP_EFFECT_EXEMPT, _sleep_effects)
    assert not violations, (
        "Sleep(...) outside kaltura_mm/runtime/ (wait for the server with runtime.poll.poll, "
        "or back off with runtime.throttle.again):\n" + "\n".join(violations)
    )


def test_only_the_runtime_decides_on_a_blocked_call() -> None:
    exempt = {**BLOCKED_EXEMPT, "errors.py": "defines the error type"}
    violations = _outside_runtime(exempt, _blocked_handling)
    assert not violations, (
        "ACTION_BLOCKED handled outside kaltura_mm/runtime/ (use runtime.throttle):\n"
        + "\n".join(violations)
    )


def test_the_exemptions_still_need_to_be_there() -> None:
    # An exemption nobody needs any more is a door left open: drop it.
    checks: list[tuple[dict[str, str], Finder]] = [
        (SLEEP_EXEMPT, _sleeps),
        (SLEEP_EFFECT_EXEMPT, _sleep_effects),
        (BLOCKED_EXEMPT, _blocked_handling),
    ]
    for exempt, find in checks:
        for rel in exempt:
            tree = ast.parse((PACKAGE / rel).read_text(encoding="utf-8"))
            assert find(tree), f"{rel} no longer needs its exemption"


def test_the_checks_find_what_they_look_for() -> None:
    assert _sleeps(ast.parse("import time\ntime.sleep(1)"))
    assert _sleeps(ast.parse("from anyio import sleep"))
    assert _sleeps(ast.parse("async def f():\n    await asyncio.sleep(0)"))
    assert not _sleeps(ast.parse("yield Sleep(1.0)"))
    assert _sleep_effects(ast.parse("yield Sleep(1.0)"))
    assert _sleep_effects(ast.parse("yield effects.Sleep(0)"))
    assert not _sleep_effects(ast.parse("from kaltura_mm.runtime.effects import Sleep"))
    assert _blocked_handling(ast.parse("isinstance(e, ActionBlockedError)"))
    assert _blocked_handling(ast.parse("errors.is_throttle(e)"))
    assert _blocked_handling(ast.parse("code == 'ACTION_BLOCKED'"))
    assert not _blocked_handling(ast.parse('"""Blocked (``ACTION_BLOCKED``) calls."""'))
