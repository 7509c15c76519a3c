"""Add a profile holding a secret to the config file, readable by its owner only (0600).

The file is rewritten whole, atomically (a temporary file made 0600, then renamed), so a crash
never leaves half a profile or a moment where the secret is readable by others. An existing file
that others can read, or a profile of the same name, is refused: nothing is overwritten.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
from collections.abc import Mapping
from pathlib import Path

from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.profiles import profile_names, read_config

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _toml_value(value: str | int) -> str:
    # A JSON string (ASCII, escapes as \uXXXX) is a valid TOML basic string.
    return str(value) if isinstance(value, int) else json.dumps(value)


def profile_text(name: str, values: Mapping[str, str | int | None]) -> str:
    """Return the TOML table of profile ``name`` (keys whose value is None left out)."""
    lines = [f"[profiles.{name}]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in values.items() if value is not None]
    return "\n".join(lines) + "\n"


def check_target(path: Path, name: str) -> None:
    """Refuse a profile name that is taken or malformed, or a file others can read: checked
    before a token is made, so that a refusal leaves no unused token behind."""
    if not _NAME.match(name):
        raise CliError(
            f"{name!r} is not a profile name", "use letters, digits, '-' and '_' (e.g. uploader)"
        )
    if name in profile_names(read_config(path)):
        raise CliError(
            f"{path} already has a profile {name!r}",
            "pick another --write-profile name (no token was made)",
        )
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise CliError(
                f"{path} is readable by others (mode {mode:04o}): a token may not go there",
                f"run `chmod 600 {shlex.quote(str(path))}` first (no token was made)",
            )


def add_profile(path: Path, name: str, values: Mapping[str, str | int | None]) -> None:
    """Add profile ``name`` to the config file at ``path`` (made if missing), mode 0600."""
    check_target(path, name)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    text = (old.rstrip("\n") + "\n\n" if old.strip() else "") + profile_text(name, values)
    _write_private(path, text)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
