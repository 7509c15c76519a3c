"""Every ``kaltura-mm`` line of README.md and docs/*.md runs as written on a fresh sandbox.

Each page gets its own folder (the cwd, with the small media files its examples name), its own
HOME and state dir, and its own fresh sandbox (``kaltura-mm sandbox serve --json``), whose URL,
partner id and admin secret stand for the account the page exports (a real region, partner or
secret). ``--sandbox`` lines use the page's own persistent local sandbox, as a user's would. Lines
run in the page's order through ``bash -o pipefail``, each block from the reader's shell (the
sandbox's env, then the block's own exports); each must exit 0. A ``sandbox serve`` line
(which serves until stopped) must come up and print its first line; it is then stopped.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.cli_examples import Line, assumed_categories, command_lines, rebased

ROOT = Path(__file__).resolve().parents[2]
PAGES = [p for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))] if command_lines(p)]
WHERE_AND_WHO = ("KALTURA_REGION", "KALTURA_SERVICE_URL", "KALTURA_PARTNER_ID",
                 "KALTURA_ADMIN_SECRET", "KALTURA_USER_SECRET", "KALTURA_KS")  # fmt: skip
MEDIA = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
# The files and folders the examples name, under the page's folder (/srv, /var, /tmp rebased).
MEDIA_FOLDERS = ("lectures", "srv/dropbox/lectures", "srv/lectures", "tests/media")
FILES = {
    "lecture-v2.mp4": MEDIA,
    "catalog.csv": b"path,name\nlectures/intro.mp4,Intro\n",
    "srv/dropbox/lectures/notes.txt": b"not a video: the recipe's --exclude '*.txt' leaves it\n",
    "to-delete.txt": b"",  # the ids a script deletes: none on a fresh sandbox
}
SERVE_TIMEOUT = 30.0
LINE_TIMEOUT = 60.0


def _bin() -> Path:
    found = shutil.which("kaltura-mm", path=str(Path(sys.executable).parent))
    assert found, "the kaltura-mm console script is not installed in this environment"
    return Path(found).parent


def _prepare(folder: Path) -> dict[str, str]:
    for name in MEDIA_FOLDERS:
        (folder / name).mkdir(parents=True)
        (folder / name / "intro.mp4").write_bytes(MEDIA)
        (folder / name / "week1.mp4").write_bytes(MEDIA + b"week1")
    for name, content in FILES.items():
        (folder / name).write_bytes(content)
    for name in ("var/log", "tmp", "home/.config/fish/completions"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KALTURA_", "_KALTURA"))}
    # TMPDIR: a page's `mktemp -d` state dir (and its --sandbox) stays under the page's folder
    env.update(HOME=str(folder / "home"), KALTURA_MM_STATE_DIR=str(folder / "state"),
               TMPDIR=str(folder / "tmp"),
               PATH=f"{_bin()}:{env.get('PATH', '/usr/bin:/bin')}")  # fmt: skip
    return env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Yield the env a user exports from a fresh ``kaltura-mm sandbox serve --json``."""
    folder = tmp_path
    env = _prepare(folder)
    server = subprocess.Popen([str(_bin() / "kaltura-mm"), "sandbox", "serve", "--json"],
                              stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        env.update(KALTURA_SERVICE_URL=info["service_url"],
                   KALTURA_PARTNER_ID=str(info["partner_id"]),
                   KALTURA_ADMIN_SECRET=info["admin_secret"])  # fmt: skip
        yield env
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for state in [folder / "state", *(folder / "tmp").glob("tmp.*")]:  # a --sandbox left
            subprocess.run([str(_bin() / "kaltura-mm"), "sandbox", "stop"], timeout=60,
                           env={**env, "KALTURA_MM_STATE_DIR": str(state)},
                           capture_output=True)  # fmt: skip


def _exported(line: str, env: dict[str, str], folder: Path) -> dict[str, str]:
    """Return ``env`` after ``line``'s exports and unsets, where and who still the sandbox's."""
    done = subprocess.run(["bash", "-c", f"{rebased(line, folder)}\nenv -0"], env=env,
                          capture_output=True, timeout=30, check=True, cwd=folder)  # fmt: skip
    after = dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    return _keep_sandbox(after, env)


def _keep_sandbox(after: dict[str, str], before: dict[str, str]) -> dict[str, str]:
    """Return ``after`` with the sandbox's where and who for what the page set (unset stays)."""
    kept = {k: v for k, v in after.items() if k not in WHERE_AND_WHO}
    kept.update({k: before[k] for k in WHERE_AND_WHO if k in after and k in before})
    return kept


def _serve(line: Line, env: dict[str, str], folder: Path) -> str | None:
    """Start a ``sandbox serve`` line, wait for its first line, stop it; return a problem."""
    server = subprocess.Popen(["bash", "-c", f"exec {rebased(line.text, folder)}"], env=env,
                              cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        if not select.select([server.stdout], [], [], SERVE_TIMEOUT)[0]:
            return f"printed nothing in {SERVE_TIMEOUT:.0f}s"
        first = server.stdout.readline()  # the server prints once it listens
        if not first or server.poll() is not None:
            return f"exit {server.wait()}: {server.stderr.read() if server.stderr else ''}"
        return None
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _run(line: Line, env: dict[str, str], folder: Path) -> str | None:
    text = rebased(line.text, folder)
    shell = ["bash", "-o", "pipefail", "-c"]
    if line.shell == "zsh":  # zsh's script: zsh evals it; without zsh, it must still be made
        shell = ["zsh", "-c"] if shutil.which("zsh") else shell
        text = text if shutil.which("zsh") else text.split('"$(', 1)[1].split(')"', 1)[0]
    done = subprocess.run([*shell, text],
                          env=env, cwd=folder, capture_output=True, text=True,
                          timeout=LINE_TIMEOUT)  # fmt: skip
    if done.returncode == 0:
        return None
    return f"exit {done.returncode}: {done.stderr.strip()[-600:]}"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_cli_line_of_the_page_runs_as_written(
    page: Path, served: dict[str, str], tmp_path: Path
) -> None:
    env, block = served, -1
    problems: list[str] = []
    lines = command_lines(page)
    assumed = assumed_categories(lines)
    if assumed:
        made = subprocess.run([str(_bin() / "kaltura-mm"), "categories", "create", *assumed],
                              env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
        assert made.returncode == 0, made.stderr
    for line in lines:
        env = served if line.block != block else env  # each block: the reader's shell
        block = line.block
        if line.is_export:
            env = _exported(line.text, env, tmp_path)
            continue
        problem = _serve(line, env, tmp_path) if line.serves else _run(line, env, tmp_path)
        if problem:
            problems.append(f"{line.page}:{line.number}: {line.text}\n    {problem}")
    assert not problems, "\n".join(problems)
