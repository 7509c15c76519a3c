"""Start-up: a command's module is imported only when it runs; --help lists every command from the
table of summaries, importing none of them.

Import checks run in a fresh interpreter (this test process has imported everything already).
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Callable

import click
import pytest

from kaltura_mm.cli import COMMANDS, cli
from kaltura_mm.commands.lazy import LazyGroup, Listed
from tests.cli.conftest import Result

COMMAND_MODULES = {listed.path.rpartition(".")[0] for listed in COMMANDS.values()}
EVERY_COMMAND = [
    "add", "apply", "auth", "categories", "check", "config", "delete", "demo", "detach", "get",
    "jobs", "ks", "list", "move", "replace", "restore", "sandbox", "sync", "update", "upload",
    "uploads",
]  # fmt: skip


def _modules_after(*argv: str) -> set[str]:
    """Run ``main(argv)`` in a fresh interpreter; return the kaltura_mm and rich modules loaded
    (an entry of None is a module kept from loading: ``kaltura_mm.cli`` keeps httpx's CLI out)."""
    code = (
        "import json, sys\n"
        "from kaltura_mm.cli import main\n"
        f"code = main({list(argv)!r})\n"
        "loaded = [m for m, v in sys.modules.items()\n"
        "          if v is not None and m.startswith(('kaltura_mm', 'rich', 'httpx'))]\n"
        "print(json.dumps({'code': code, 'modules': loaded}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


def test_version_imports_no_command_module_nor_the_sandbox() -> None:
    loaded = _modules_after("--version")
    assert not loaded & COMMAND_MODULES
    assert not any(name.startswith("kaltura_mm.sandbox") for name in loaded)
    assert not any(name.startswith("httpx") for name in loaded)


def test_version_loads_neither_client_models_rich_nor_flows() -> None:
    loaded = _modules_after("--version")
    heavy = {"kaltura_mm.client", "kaltura_mm.models", "kaltura_mm.config", "kaltura_mm.errors"}
    assert not loaded & heavy
    assert not any(name.startswith(("rich", "kaltura_mm.flows")) for name in loaded)


def test_version_is_the_installed_distributions(cli: Callable[..., Result]) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out == f"kaltura-mm, version {importlib.metadata.version('kaltura-mm')}\n"


def test_help_imports_no_command_module_nor_what_they_use() -> None:
    loaded = _modules_after("--help")
    assert not loaded & COMMAND_MODULES
    heavy = {"kaltura_mm.client", "kaltura_mm.models", "kaltura_mm.config", "kaltura_mm.errors"}
    assert not loaded & heavy
    assert not any(name.startswith(("rich", "httpx", "kaltura_mm.sandbox")) for name in loaded)


@pytest.mark.parametrize("name", EVERY_COMMAND)
def test_a_commands_help_imports_neither_httpx_nor_the_client(name: str) -> None:
    loaded = _modules_after(name, "--help")
    assert COMMANDS[name].path.rpartition(".")[0] in loaded
    assert not any(
        m.startswith(("httpx", "kaltura_mm.client", "kaltura_mm.transport")) for m in loaded
    )


def test_each_summary_is_the_first_paragraph_of_its_commands_help() -> None:
    ctx = click.Context(cli)
    for name, listed in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.short_help is None, name
        first = (command.help or "").split("\n\n", 1)[0]
        assert listed.summary == " ".join(first.split()), name


@pytest.mark.parametrize("width", [60, 80, 200])
def test_the_listing_is_what_click_lists_with_every_command_loaded(width: int) -> None:
    ctx = click.Context(cli, terminal_width=width)
    lazy = click.HelpFormatter(width=width)
    cli.format_commands(ctx, lazy)
    loaded = click.Group(commands={name: cli.get_command(ctx, name) for name in COMMANDS})
    eager = click.HelpFormatter(width=width)
    loaded.format_commands(click.Context(loaded, terminal_width=width), eager)
    assert lazy.getvalue() == eager.getvalue()
    assert lazy.getvalue().count("\n") == len(COMMANDS) + 1


def test_a_command_imports_its_own_module_only() -> None:
    loaded = _modules_after("ks", "--help")
    assert "kaltura_mm.commands.ks_commands" in loaded
    others = COMMAND_MODULES - {"kaltura_mm.commands.ks_commands"}
    assert not loaded & others
    assert "kaltura_mm.sandbox.app" not in loaded


def test_help_lists_every_command_with_its_short_help(cli: Callable[..., Result]) -> None:
    result = cli("--help")
    assert result.code == 0
    listing = result.out.split("Commands:", 1)[1].splitlines()
    rows = [line.split(None, 1) for line in listing if line.strip()]
    assert [row[0] for row in rows] == EVERY_COMMAND
    assert all(len(row) == 2 and len(row[1]) > 10 for row in rows), rows


def test_the_sandbox_group_keeps_serve_stop_and_status(cli: Callable[..., Result]) -> None:
    result = cli("sandbox", "--help")
    assert result.code == 0
    for name in ("serve", "status", "stop"):
        assert f"  {name} " in result.out


def test_an_unknown_command_is_a_usage_error_naming_it(cli: Callable[..., Result]) -> None:
    result = cli("uplaod", "x.mp4")
    assert result.code == 2
    assert "No such command 'uplaod'" in result.err


def test_the_group_resolves_each_name_to_its_command() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == EVERY_COMMAND
    for name in EVERY_COMMAND:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name


def test_a_table_entry_that_is_not_a_command_is_refused_by_path() -> None:
    bad = Listed("kaltura_mm.commands.lazy.LazyGroup", "Not a command.")
    group = LazyGroup(name="g", lazy_subcommands={"bad": bad})
    with pytest.raises(TypeError, match=r"kaltura_mm\.commands\.lazy\.LazyGroup is not a click"):
        group.get_command(click.Context(group), "bad")
    assert group.get_command(click.Context(group), "missing") is None


def test_an_upload_loads_httpx_without_its_own_command_line() -> None:
    """httpx imports its CLI (rich's console, pygments) unless kept out: 50 ms of every start."""
    code = (
        "import sys\n"
        "from kaltura_mm.cli import main\n"
        "import kaltura_mm.transport, httpx\n"
        "print(sorted(m for m, v in sys.modules.items() if v is not None and m.startswith(("
        "'httpx._main', 'rich.console', 'pygments'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("entry", ["run", "main"])
def test_the_console_script_freezes_start_up_for_the_collector(entry: str) -> None:
    """``run()`` (the console script) freezes what start-up made once the command is loaded, so
    no collection walks it again; ``main()``, which tests call many times, freezes nothing."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_freeze_count(), file=sys.stderr))\n"
        "from kaltura_mm.cli import main, run\n"
        "sys.argv = ['kaltura-mm', 'upload', '--help']\n"
        f"sys.exit({entry}() if {entry!r} == 'run' else main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    frozen = int(done.stderr.strip().splitlines()[-1])
    assert (frozen > 10_000) if entry == "run" else frozen == 0
