"""Commands and text as ``kaltura-mm`` shows them: pasteable, and safe for a terminal.

A command kaltura-mm prints (the resume hint, a fix) is quoted so that pasting it into a shell
runs exactly that command: ``-c "Root>Archive 2023"`` unquoted would redirect into a file named
``Archive`` and upload into ``Root``. An argument holding a control character is written in
bash's ``$'...'`` form, so neither the terminal nor the shell sees the raw byte. Text shown to a
person (file names, entry names) has its control characters escaped the same way: a file named
with an ESC must not drive the terminal.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

# C0 controls, DEL and C1 controls (a raw 0x9b is a CSI on some terminals).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char, f"\\x{ord(char):02x}")


def visible(text: str) -> str:
    """Return ``text`` with every control character written as an escape (``\\e``, ``\\x07``)."""
    return _CONTROL.sub(_escaped, text)


def has_control(text: str) -> bool:
    """Return whether ``text`` holds a control character."""
    return _CONTROL.search(text) is not None


def quote(argument: str) -> str:
    """Return ``argument`` quoted for a POSIX shell (``$'...'`` when it holds control bytes)."""
    if not has_control(argument):
        return shlex.quote(argument)
    inner = argument.replace("\\", "\\\\").replace("'", "\\'")
    return "$'" + visible(inner) + "'"


def command_line(argv: Iterable[str]) -> str:
    """Return ``argv`` as one line a shell runs as exactly these arguments."""
    return " ".join(quote(str(a)) for a in argv)
