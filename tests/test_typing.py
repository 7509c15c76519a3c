"""The public types keep their promises: a user's script passes ``mypy --strict`` and runs under
both clients; the mistakes the issue names (``run`` of a stream, ``iterate`` of a flow with a
result) fail type-checking on exactly the lines marked.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.testing import config_for
from tests.user_scripts import user_script

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "tests" / "user_scripts"


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str]]]:
    """Return mypy's errors per script (one run for both)."""
    cache = tmp_path_factory.mktemp("mypy-cache")
    files = [str(SCRIPTS / "user_script.py"), str(SCRIPTS / "misuse.py")]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), *files],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    errors: dict[str, list[tuple[int, str]]] = {"user_script.py": [], "misuse.py": []}
    for line in done.stdout.splitlines():
        match = re.match(r"tests/user_scripts/(\w+\.py):(\d+): error: (.*)", line)
        if match:
            errors[match.group(1)].append((int(match.group(2)), match.group(3)))
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return errors


def test_the_user_script_passes_mypy_strict(mypy_report: dict[str, Any]) -> None:
    assert mypy_report["user_script.py"] == []


def test_misuse_fails_mypy_on_each_marked_line(mypy_report: dict[str, Any]) -> None:
    source = (SCRIPTS / "misuse.py").read_text(encoding="utf-8").splitlines()
    marked = {n for n, line in enumerate(source, start=1) if "  # error: " in line}
    reported = mypy_report["misuse.py"]
    assert {line for line, _ in reported} == marked, reported
    for line, message in reported:
        verb = re.search(r"(run|iterate)\(\) of", source[line - 1])
        if verb:  # says which method refused which flow
            assert f'"{verb.group(1)}"' in message, message


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_user_script_runs_under_both_clients(
    mode: str, kaltura_sandbox: Any, tmp_path: Path
) -> None:
    kaltura_sandbox.create_category("Root>Lectures")
    path = tmp_path / "lecture.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    config = config_for(kaltura_sandbox)
    if mode == "sync":
        seen = user_script.with_client(config, path, "Root>Lectures")
    else:
        seen = asyncio.run(user_script.with_async_client(config, path, "Root>Lectures"))
    assert "progress" in seen
    assert seen[seen.index("lecture") :] == ["lecture", "renamed", "done", "done", "gone"]
