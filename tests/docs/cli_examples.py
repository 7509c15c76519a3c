"""Find the ``kaltura-mm`` command lines of the docs' shell blocks, as a reader would type them.

The rules (README.md, "Documentation", points here):

- only fenced ``sh``, ``console`` and ``bash`` blocks count; a ``\\`` continuation joins lines and
  a ``console`` block's ``$ `` prompt is dropped; a bare ``pip install`` line is not run;
- a line ending in ``# (illustration)`` is not run (an example with made-up ids): keep those few;
- each block starts from the reader's shell (the sandbox's env); its ``export`` and ``unset``
  lines apply to the lines after them in that block; a line without ``kaltura-mm`` (``pytest``,
  ``python -m``, ``set -e``, a comment) is not run;
- a ``pip install ... &&`` prefix is dropped (the test runs where kaltura-mm is installed), and a
  crontab line's five schedule fields are dropped (the rest is what cron runs);
- absolute paths under ``/srv``, ``/var`` and ``/tmp`` are taken under the test's folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ILLUSTRATION = "# (illustration)"
_FENCE = re.compile(r"^([ \t]*)```(sh|console|bash)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
_KALTURA_MM = re.compile(r"(?<![\w.-])kaltura-mm(?![\w.-])")
_PIP_PREFIX = re.compile(r"^pip install \S+\s*&&\s*")
_CRON = re.compile(r"^(?:[0-9*/,-]+\s+){5}(?=kaltura-mm\s)")
_ABSOLUTE = re.compile(r"(?<![\w/.~$-])/(srv|var|tmp)/")


@dataclass(frozen=True)
class Line:
    """One command line of a page: where it is, and the shell text to run."""

    page: str
    number: int
    text: str
    block: int

    @property
    def is_export(self) -> bool:
        """Return whether the line exports variables (applied to the lines after it)."""
        return self.text.startswith(("export ", "unset "))

    @property
    def shell(self) -> str:
        """Return the shell the line is for: zsh for a line meant for ``~/.zshrc``."""
        return "zsh" if self.text.endswith("# ~/.zshrc") else "bash"

    @property
    def serves(self) -> bool:
        """Return whether the line starts a sandbox server (which runs until stopped)."""
        return self.text.startswith("kaltura-mm sandbox serve")

    @property
    def uses_local_sandbox(self) -> bool:
        """Return whether the line runs on the persistent ``--sandbox`` of the state dir."""
        return "--sandbox" in self.text


def logical_lines(block: str, first: int) -> list[tuple[int, str]]:
    """Return a block's lines with ``\\`` continuations joined, each with its first line number."""
    joined: list[tuple[int, str]] = []
    pending: list[str] = []
    start = first
    for offset, raw in enumerate(block.splitlines()):
        text = raw.strip()
        if text.startswith("$ "):
            text = text[2:]
        if not pending:
            start = first + offset
        if text.endswith("\\"):
            pending.append(text[:-1].strip())
            continue
        joined.append((start, " ".join([*pending, text]).strip()))
        pending = []
    return joined


def command_lines(page: Path) -> list[Line]:
    """Return the lines of ``page`` the test runs, in order."""
    text = page.read_text(encoding="utf-8")
    lines: list[Line] = []
    for block, fence in enumerate(_FENCE.finditer(text)):
        first = text.count("\n", 0, fence.start(3)) + 1
        for number, line in logical_lines(fence.group(3), first):
            if not line or line.startswith("#") or line.rstrip().endswith(ILLUSTRATION):
                continue
            if line.startswith(("export ", "unset ")):
                lines.append(Line(page.name, number, line, block))
                continue
            line = _CRON.sub("", _PIP_PREFIX.sub("", line))
            if _KALTURA_MM.search(line.split("#", 1)[0]) and not line.startswith("pip "):
                lines.append(Line(page.name, number, line, block))
    return lines


_CATEGORY = re.compile(r"(?<!\S)(?:-c|--category|--to)\s+(\"[^\"]+\"|'[^']+'|\S+)")


def assumed_categories(lines: list[Line]) -> list[str]:
    """Return the category paths the page's lines name but do not make themselves.

    They stand for the reader's account, where the categories a page works on exist; a
    ``--sandbox`` line works on a sandbox of its own, so what it names is not assumed there.
    """
    paths: dict[str, None] = {}
    for line in lines:
        if line.uses_local_sandbox or "--create-categories" in line.text:
            continue
        for found in _CATEGORY.findall(line.text):
            path = found.strip("\"'")
            if not path.isdigit():
                paths[path] = None
    return list(paths)


def rebased(text: str, folder: Path) -> str:
    """Return ``text`` with its ``/srv``, ``/var`` and ``/tmp`` paths taken under ``folder``."""
    return _ABSOLUTE.sub(lambda match: f"{folder}/{match.group(1)}/", text)
