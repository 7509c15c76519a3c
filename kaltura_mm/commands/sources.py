"""What ``kaltura-mm upload`` was asked to send: files, directories, globs, or a CSV manifest.

A directory is walked recursively (hidden files and directories skipped); a glob is expanded by
Python (so it works the same when the shell did not expand it); a ``.csv`` argument is a manifest
with the columns ``path,name,description,tags,category,referenceId`` (only ``path`` required;
relative paths are read from the manifest's directory). Every file is listed once, sorted.

What a walk or a glob finds that cannot become an entry is skipped with the reason, not failed:
a file that is no media (``notes.txt``; a document without ``--documents``), a FIFO, socket or
device, a link to nothing. ``--include``/``--exclude`` globs choose among the files found (matched
against the path below the directory walked, and against the file name). A file named on the
command line or in a manifest is the user's explicit wish: it is uploaded, or fails saying why.
"""

from __future__ import annotations

import fnmatch
import glob
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import attrs

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.shell import refused_by_kaltura
from kaltura_mm.errors import ConfigError
from kaltura_mm.tables import csv_header, csv_rows
from kaltura_mm.upload.media_types import kind_of

MANIFEST_COLUMNS = ("path", "name", "description", "tags", "category", "referenceId")
_GLOB_CHARS = frozenset("*?[")


@attrs.frozen(kw_only=True)
class UploadItem:
    """One file to upload and the metadata given for it (None: use the command's flags)."""

    path: Path
    name: str | None = None
    description: str | None = None
    tags: str | None = None
    category: str | None = None
    reference_id: str | None = None


@attrs.frozen
class Skipped:
    """A path found by a walk or a glob that is not uploaded, and why."""

    path: Path
    reason: str


@attrs.frozen
class Selection:
    """Which of the files found are uploaded: ``--include``/``--exclude`` and the entry kinds."""

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


EMPTY = (
    "empty (0 bytes): Kaltura makes no entry of an empty file; it is uploaded once it has content"
)
NAME_REFUSED = "its name holds control characters, which Kaltura refuses: rename the file"
_SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@attrs.define
class Found:
    """The files to upload, and what was skipped on the way."""

    items: list[UploadItem] = attrs.field(factory=list)
    skipped: list[Skipped] = attrs.field(factory=list)


def collect(arguments: Sequence[str], selection: Selection | None = None) -> Found:
    """Return the files named by ``arguments``, each once, in a stable order."""
    selection = selection or Selection()
    items: dict[Path, UploadItem] = {}
    skipped: list[Skipped] = []
    for argument in arguments:
        for item in _expand(argument, selection, skipped):
            items.setdefault(item.path, item)
    if not items and skipped and all(s.reason == EMPTY for s in skipped):
        return Found([], skipped)  # only empty files, each named: nothing to do, not an error
    if not items:
        why = f" ({len(skipped)} skipped: see above)" if skipped else ""
        raise CliError(
            "no files to upload in " + " ".join(arguments) + why,
            "name files, directories, globs or a .csv manifest",
        )
    return Found([items[path] for path in sorted(items)], skipped)


def _expand(argument: str, selection: Selection, skipped: list[Skipped]) -> Iterator[UploadItem]:
    path = Path(argument).expanduser()
    if path.suffix.lower() == ".csv" and path.is_file():
        yield from read_manifest(path, skipped)
    elif path.is_dir():
        yield from (UploadItem(path=p) for p in walk(path, selection, skipped))
    elif path.is_file():
        if selection.wanted(path.name, path.name):
            yield from (UploadItem(path=p) for p in _unless_empty(path, skipped))
    elif _GLOB_CHARS & set(argument):
        yield from (UploadItem(path=p) for p in _glob(path, selection, skipped))
    else:
        raise CliError(
            f"{argument}: no such file or directory", "check the path", ExitCode.NOT_FOUND
        )


def _glob(pattern: Path, selection: Selection, skipped: list[Skipped]) -> list[Path]:
    matches = [Path(m) for m in sorted(glob.glob(str(pattern), recursive=True))]
    files = []
    for match in matches:
        if match.is_dir():
            files.extend(walk(match, selection, skipped))
        elif selection.wanted(match.name, match.name):
            files.extend(_keep(match, selection, skipped))
    return files


def walk(directory: Path, selection: Selection, skipped: list[Skipped]) -> list[Path]:
    """Return the files under ``directory`` to upload, recursively; note what is skipped.

    Hidden files and directories are left out without a word (``.git``, ``.DS_Store``).
    """
    found: list[Path] = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts) or path.is_dir():
            continue
        if selection.wanted(relative.as_posix(), path.name):
            found.extend(_keep(path, selection, skipped))
    return found


def _keep(path: Path, selection: Selection, skipped: list[Skipped]) -> list[Path]:
    reason = selection.why_not(path)
    if reason is None:
        return [path.resolve()]
    skipped.append(Skipped(path, reason))
    return []


def _unless_empty(path: Path, skipped: list[Skipped]) -> list[Path]:
    """Return ``[path]`` resolved, or [] (noted in ``skipped``) when the file is empty."""
    if path.stat().st_size == 0:
        skipped.append(Skipped(path, EMPTY))
        return []
    return [path.resolve()]


def read_manifest(manifest: Path, skipped: list[Skipped] | None = None) -> list[UploadItem]:
    """Return the rows of a CSV manifest as upload items; refuse unknown columns. A row whose
    file is empty is left out (noted in ``skipped``)."""
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            _check_columns(manifest, csv_header(handle))
            handle.seek(0)
            rows = csv_rows(handle, f"manifest {manifest}")
            items = [_row(manifest, number, dict(row)) for number, row in rows]
    except UnicodeDecodeError as exc:
        raise CliError(
            f"manifest {manifest} is not UTF-8 text (byte {exc.start} cannot be read as UTF-8; "
            "Excel's 'CSV' and 'Unicode Text' save as Windows-1252 and UTF-16)",
            "save it from Excel as 'CSV UTF-8 (Comma delimited)', or re-encode it to UTF-8",
        ) from None
    noted = [] if skipped is None else skipped
    return [i for i in items if _unless_empty(i.path, noted)]


def _check_columns(manifest: Path, columns: Iterable[str]) -> None:
    names = [c.strip() for c in columns]
    unknown = sorted(set(names) - set(MANIFEST_COLUMNS))
    if "path" not in names or unknown:
        problem = f"manifest {manifest}: " + (
            f"unknown columns {', '.join(unknown)}" if unknown else "no 'path' column"
        )
        raise CliError(problem, f"use the header {','.join(MANIFEST_COLUMNS)} (path required)")


def _row(manifest: Path, number: int, row: dict[str, str]) -> UploadItem:
    values = {k.strip(): (v or "").strip() or None for k, v in row.items() if k}
    if not values.get("path"):
        raise CliError(f"manifest {manifest}, line {number}: the path is empty", "fill it in")
    path = Path(str(values["path"])).expanduser()
    path = (path if path.is_absolute() else manifest.parent / path).resolve()
    if not path.is_file():
        raise CliError(
            f"manifest {manifest}, line {number}: {path} is not a file",
            "fix the path (relative paths start at the manifest's directory)",
            ExitCode.NOT_FOUND,
        )
    return UploadItem(
        path=path,
        name=values.get("name"),
        description=values.get("description"),
        tags=values.get("tags"),
        category=values.get("category"),
        reference_id=values.get("referenceId"),
    )
