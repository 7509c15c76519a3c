"""Small promises: JSON usage errors, "did you mean", plain sort orders, completion, sandbox env."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

Runner = Callable[..., Any]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_usage_errors_are_json_lines_under_json(cli: Runner) -> None:
    for argv in (("--json", "list", "--limit", "0"), ("list", "--limit", "0", "--json")):
        result = cli(*argv)
        assert result.code == 2
        (error,) = [json.loads(line) for line in result.err.splitlines()]
        assert (error["error"], error["exit_code"]) == ("usage", 2)
        assert "--limit" in error["message"] and "kaltura-mm list --help" in error["fix"]


def test_a_typo_in_a_command_names_the_command_meant(cli: Runner) -> None:
    result = cli("uplaod", "x.mp4")
    assert result.code == 2
    assert "Did you mean 'upload' or 'uploads'?" in result.err
    assert "Did you mean" not in cli("frobnicate").err


def test_order_takes_a_plain_field_name(cli: Runner, sandbox_env: Any) -> None:
    category = sandbox_env.create_category("Root>Sorted")
    sandbox_env.seed_entries(category, 3, name_prefix="talk")
    by_name = cli("--json", "list", "-c", "Root>Sorted", "--order", "name")
    assert by_name.code == 0, by_name.err
    names = [r["name"] for r in by_name.json_lines()]
    assert names == sorted(names)
    descending = [
        r["name"]
        for r in cli("--json", "list", "-c", "Root>Sorted", "--order", "-name").json_lines()
    ]
    assert descending == sorted(names, reverse=True)
    assert cli("list", "--order", "created_at").code != 2
    assert cli("list", "--order", "size").code == 2


def test_shell_completion_works_as_documented(installed: list[str]) -> None:
    documented = DOCS.read_text()
    assert 'eval "$(_KALTURA_MM_COMPLETE=bash_source kaltura-mm)"' in documented
    assert "zsh_source" in documented and "fish_source" in documented
    env = {**os.environ, "_KALTURA_MM_COMPLETE": "bash_complete", "COMP_WORDS": "kaltura-mm up",
           "COMP_CWORD": "1"}  # fmt: skip
    words = subprocess.run(installed, capture_output=True, text=True, env=env, timeout=30)
    assert words.stdout.split() == ["plain,update", "plain,upload", "plain,uploads"]


def test_sandbox_env_prints_export_lines_a_shell_can_eval(
    installed: list[str], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(KALTURA_MM_STATE_DIR=str(tmp_path / "state"), KALTURA_KS="stale-ks",
               PATH=f"{Path(installed[0]).parent}:/usr/bin:/bin")  # fmt: skip
    try:
        script = 'eval "$(kaltura-mm sandbox env)" && kaltura-mm --json config show'
        shown = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True,
                               env=env, timeout=60)  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        settings = json.loads(shown.stdout)
        info = json.loads((tmp_path / "state" / "sandbox" / "server.json").read_text())
        assert settings["service_url"] == info["service_url"]
        assert (settings["partner_id"], settings["admin_secret"]) == (info["partner_id"], "<set>")
        assert settings["ks"] is None  # a KS left in the environment would win: it is unset
    finally:
        subprocess.run([*installed, "sandbox", "stop"], env=env, capture_output=True, timeout=60)
