"""The package's layering, checked by reading imports (no module is executed).

Dependency direction: models, errors <- protocol <- services <- runtime <- flows <- config/client
<- manager <- cli. The pure layers never import an HTTP or retry library, and the sandbox imports
nothing from the client side, so a client encoding bug cannot be mirrored by the server that
tests it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kaltura_mm"

# Lower number = lower layer. A module may import only from its own layer or below.
LAYERS: dict[str, int] = {
    "lazy_import": 0,  # how every package's names load on first use; imports nothing of ours
    "models": 0,
    "enums": 0,
    "refs": 0,
    "errors": 0,
    "shard": 0,  # which part of a job a --shard K/N run takes; imports nothing of ours
    "protocol": 1,
    "ks": 1,
    "tables": 1,
    "services": 2,
    "runtime": 3,
    "flows": 4,
    "upload": 4,
    "sync": 4,
    "config": 5,
    "app_token_ks": 5,  # runs a flow (the session's two calls)
    "client": 5,
    "budget": 5,  # the shared rate budget: SQLite/PostgreSQL, used by the client adapters
    "verbs": 5,
    "transport": 5,
    "recording": 5,
    "store": 5,  # the state kept between runs (SQLite or PostgreSQL)
    "jobs": 5,  # one job, many workers: items and leases in the store
    "manager": 6,
    "testing": 6,
    "cli": 7,
    "__main__": 7,  # ``python -m kaltura_mm``: the command line
    "commands": 7,
}
PURE = {
    "protocol",
    "services",
    "runtime",
    "flows",
    "upload",
    "sync",
    "models",
    "refs",
    "errors",
    "tables",
    "shard",
}
IO_LIBRARIES = {"httpx", "tenacity", "socket", "requests"}
# Time and chance come from the runtime's injected clock and random source, so that a seeded run
# replays: a pure module may not read the wall clock or draw from the ``random`` module.
UNREPLAYABLE = {"time", "datetime"}


def _reads_clock_or_chance(path: Path) -> list[str]:
    """Return the imports of ``path`` that read the wall clock or draw from ``random``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [
                a.name for a in node.names if a.name.split(".")[0] in {*UNREPLAYABLE, "random"}
            ]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            top = node.module.split(".")[0]
            allowed = {"Random"} if top == "random" else set()  # the type, injected
            if top in {*UNREPLAYABLE, "random"}:
                found += [f"{node.module}.{a.name}" for a in node.names if a.name not in allowed]
    return found


def _top_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "kaltura_mm" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    package_parts = ["kaltura_mm", *path.relative_to(PACKAGE).parent.parts]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def _source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def test_package_has_sources() -> None:
    assert (PACKAGE / "__init__.py").exists()
    assert (PACKAGE / "py.typed").exists()


def test_every_module_has_a_layer() -> None:
    unplaced = {
        _layer_of(path)
        for path in _source_files()
        if _layer_of(path) not in LAYERS and _layer_of(path) not in {"__init__", "sandbox"}
    }
    assert not unplaced, f"place these in LAYERS: {sorted(unplaced)}"


def test_lower_layers_never_import_higher_ones() -> None:
    violations = []
    for path in _source_files():
        own = _layer_of(path)
        if own not in LAYERS:
            continue
        for name in _imports(path):
            target = _top_of(name)
            if target in LAYERS and LAYERS[target] > LAYERS[own]:
                violations.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not violations, "layering broken:\n" + "\n".join(violations)


def test_pure_layers_do_no_io() -> None:
    violations = []
    for path in _source_files():
        if _layer_of(path) not in PURE:
            continue
        for name in _imports(path):
            if name.split(".")[0] in IO_LIBRARIES:
                violations.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not violations, "pure layer does I/O:\n" + "\n".join(violations)


# The runtime is pure (issue 18 A): the shared rate budget and the store it lives in are I/O
# (SQLite, PostgreSQL), so the machine asks for them with an action (``AskBudget``) and the
# adapters answer it (``client.shared_budget``), as they answer ``Send``.
RUNTIME = PACKAGE / "runtime"
STORE_MODULES = {"kaltura_mm.budget", "kaltura_mm.store", "kaltura_mm.jobs"}
STORE_LIBRARIES = {"sqlite3", "psycopg", "psycopg_pool", "httpx"}
BUDGET_METHODS = {"before", "after", "waits", "known"}  # the Gate's


def _budget_calls(path: Path) -> list[str]:
    """Return each call in ``path`` of a method named like the budget's (``x.before(...)``)."""
    return [
        f"{node.func.attr} (line {node.lineno})"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in BUDGET_METHODS
    ]


def test_the_runtime_neither_imports_nor_calls_the_store() -> None:
    violations = []
    for path in sorted(RUNTIME.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] in STORE_LIBRARIES or ".".join(parts[:2]) in STORE_MODULES:
                violations.append(f"{rel} imports {name}")
        violations += [f"{rel} calls {call}" for call in _budget_calls(path)]
    assert not violations, "the runtime does store I/O (yield AskBudget):\n" + "\n".join(violations)


def test_the_budget_check_finds_a_call() -> None:
    probe = PACKAGE / "client" / "shared_budget.py"  # the adapters' side: it does call them
    assert _budget_calls(probe)


# The real clock the clients inject (``Client(clock=...)``'s default): the machine never imports
# it, it is the one place of the runtime where real time passes.
REAL_CLOCK = PACKAGE / "runtime" / "clock.py"


def test_pure_layers_take_time_and_chance_from_the_runtime() -> None:
    violations = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _source_files()
        if _layer_of(path) in PURE and path != REAL_CLOCK
        for name in _reads_clock_or_chance(path)
    ]
    assert not violations, "pure layer reads the clock or draws at random:\n" + "\n".join(
        violations
    )


def test_sandbox_imports_nothing_from_the_client_side() -> None:
    violations = []
    for path in (PACKAGE / "sandbox").rglob("*.py"):
        for name in _imports(path):
            top = _top_of(name)
            if top is not None and top != "sandbox":
                violations.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not violations, "the sandbox must stay independent:\n" + "\n".join(violations)


SIMULATION = PACKAGE.parent / "simulation"


def _simulation_imports() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(SIMULATION.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((path, node.module))
    return found


CLIENT_DRIVER = SIMULATION / "client"


def test_the_simulation_imports_nothing_from_the_client_side() -> None:
    # The model is written from the spec so that it can catch the client's mistakes: it may use
    # the sandbox's pure helpers (also written from the spec), never the client's code. Only the
    # client driver (simulation/client/), which runs the client's flows, imports the client.
    violations = [
        f"{path.relative_to(SIMULATION.parent)} imports {name}"
        for path, name in _simulation_imports()
        if name.split(".")[0] == "kaltura_mm"
        and not name.startswith("kaltura_mm.sandbox")
        and not path.is_relative_to(CLIENT_DRIVER)
    ]
    assert _simulation_imports(), "expected the simulation package beside kaltura_mm"
    assert not violations, "the simulation must stay independent:\n" + "\n".join(violations)


def test_the_model_knows_nothing_of_its_drivers() -> None:
    drivers = (
        "simulation.reference",
        "simulation.network",
        "simulation.drivers",
        "simulation.client",
    )
    violations = [
        f"{path.relative_to(SIMULATION.parent)} imports {name}"
        for path, name in _simulation_imports()
        if "model" in path.relative_to(SIMULATION).parts and name.startswith(drivers)
    ]
    assert not violations, "the model must not depend on who drives it:\n" + "\n".join(violations)


def test_nothing_reads_outside_the_checkout() -> None:
    # A user's fresh clone has nothing beside it: real payloads live in tests/payloads.
    repo = PACKAGE.parent
    # Spelled in pieces so that this guard does not itself read as a path outside the checkout.
    markers = ('"shared"', "/".join(("..", "shared")))
    offenders = []
    for folder in ("kaltura_mm", "tests", "benchmarks", "reliability", "simulation"):
        for path in (repo / folder).rglob("*.py"):
            if path == Path(__file__).resolve():
                continue
            text = path.read_text(encoding="utf-8")
            if any(marker in text for marker in markers):
                offenders.append(str(path.relative_to(repo)))
    assert not offenders, f"these read outside the checkout: {offenders}"
