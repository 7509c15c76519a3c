"""The one folder walker of upload and sync: which files of a folder can become entries.

A folder is walked recursively, in path order; hidden files and folders (``.git``,
``.DS_Store``) are left out without a word. ``--include``/``--exclude`` globs (``Selection``)
choose among the files found, matched against the path below the folder and against the file
name. What cannot become an entry is skipped with the reason, not failed: a file that is no
media (``notes.txt``; a document without ``--documents``), a FIFO, socket or device, a link to
nothing, an empty file (Kaltura makes no entry of one), a name Kaltura refuses.
"""

from __future__ import annotations

import fnmatch
import re
import stat
from pathlib import Path

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.upload.media_types import kind_of

EMPTY = "empty (0 bytes): Kaltura makes no entry of an empty file; it is taken once it has content"
NAME_REFUSED = "its name holds control characters, which Kaltura refuses: rename the file"
_SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
# What XML 1.0 cannot carry; Kaltura refuses such a value (INVALID_PARAMETER_CHAR).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def refused_by_kaltura(text: str) -> bool:
    """Return whether Kaltura would refuse ``text`` as a name (a character XML cannot carry)."""
    return _XML_INVALID.search(text) is not None


@attrs.frozen
class Skipped:
    """A path found by a walk or a glob that is not taken, and why."""

    path: Path
    reason: str


@attrs.frozen
class Selection:
    """Which of the files found are taken: ``--include``/``--exclude`` and the entry kinds."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    documents: bool = False

    def wanted(self, relative: str, name: str) -> bool:
        """Return whether a file found at ``relative`` (called ``name``) passes the globs."""

        def matches(patterns: tuple[str, ...]) -> bool:
            return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)

        return (not self.include or matches(self.include)) and not matches(self.exclude)

    def why_not(self, path: Path) -> str | None:
        """Return why a found file cannot become an entry, or None if it can."""
        try:
            info = path.stat()
        except FileNotFoundError:
            return "a symbolic link to nothing (its target is missing)"
        except OSError as exc:
            return f"cannot be read ({exc.strerror})"
        kind = _SPECIAL.get(stat.S_IFMT(info.st_mode))
        if kind is not None:
            return f"{kind}, not a regular file"
        if info.st_size == 0 and stat.S_ISREG(info.st_mode):
            return EMPTY
        if refused_by_kaltura(path.name):
            return NAME_REFUSED
        try:
            kind_of(path.name, support_documents=self.documents)
        except ConfigError:
            documents = "" if self.documents else " (documents need --documents)"
            return f"not a media file Kaltura can tell from its extension{documents}"
        return None


@attrs.define
class Walk:
    """The files a walk takes (each with its POSIX path below the folder), and those skipped."""

    files: list[tuple[Path, str]] = attrs.field(factory=list)
    skipped: list[Skipped] = attrs.field(factory=list)


def walk_folder(folder: Path, selection: Selection | None = None) -> Walk:
    """Return the files under ``folder`` that can become entries, recursively, in path order."""
    selection = selection or Selection()
    found = Walk()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.is_dir():
            continue
        if not selection.wanted(relative.as_posix(), path.name):
            continue
        reason = selection.why_not(path)
        if reason is None:
            found.files.append((path, relative.as_posix()))
        else:
            found.skipped.append(Skipped(path, reason))
    return found
