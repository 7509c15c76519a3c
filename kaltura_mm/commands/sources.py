"""What ``kaltura-mm upload`` was asked to send: files, directories, globs, or a CSV manifest.

A directory is walked recursively (hidden files and directories skipped); a glob is expanded by
Python (so it works the same when the shell did not expand it); a ``.csv`` argument is a manifest
with the columns ``path,name,description,tags,category,referenceId`` (only ``path`` required;
relative paths are read from the manifest's directory). Every file is listed once, sorted.
"""

from __future__ import annotations

import csv
import glob
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import attrs

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError

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


def collect(arguments: Sequence[str]) -> list[UploadItem]:
    """Return the files named by ``arguments``, each once, in a stable order."""
    items: dict[Path, UploadItem] = {}
    for argument in arguments:
        for item in _expand(argument):
            items.setdefault(item.path, item)
    if not items:
        raise CliError(
            "no files to upload in " + " ".join(arguments),
            "name files, directories, globs or a .csv manifest",
        )
    return [items[path] for path in sorted(items)]


def _expand(argument: str) -> Iterator[UploadItem]:
    path = Path(argument).expanduser()
    if path.suffix.lower() == ".csv" and path.is_file():
        yield from read_manifest(path)
    elif path.is_dir():
        yield from (UploadItem(path=p) for p in walk(path))
    elif path.is_file():
        yield UploadItem(path=path.resolve())
    elif _GLOB_CHARS & set(argument):
        matches = [Path(m) for m in glob.glob(str(path), recursive=True)]
        files = [m.resolve() for m in matches if m.is_file()]
        for directory in (m for m in matches if m.is_dir()):
            files.extend(walk(directory))
        yield from (UploadItem(path=p) for p in files)
    else:
        raise CliError(
            f"{argument}: no such file or directory", "check the path", ExitCode.NOT_FOUND
        )


def walk(directory: Path) -> list[Path]:
    """Return the regular files under ``directory``, recursively, skipping hidden ones."""
    found: list[Path] = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file():
            found.append(path.resolve())
    return found


def read_manifest(manifest: Path) -> list[UploadItem]:
    """Return the rows of a CSV manifest as upload items; refuse unknown columns."""
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            _check_columns(manifest, columns)
            return [_row(manifest, number, row) for number, row in enumerate(reader, start=2)]
    except UnicodeDecodeError as exc:
        raise CliError(
            f"manifest {manifest} is not UTF-8 text (byte {exc.start} cannot be read as UTF-8; "
            "Excel's 'CSV' and 'Unicode Text' save as Windows-1252 and UTF-16)",
            "save it from Excel as 'CSV UTF-8 (Comma delimited)', or re-encode it to UTF-8",
        ) from None


def _check_columns(manifest: Path, columns: Iterable[str]) -> None:
    names = [c.strip() for c in columns]
    unknown = sorted(set(names) - set(MANIFEST_COLUMNS))
    if "path" not in names or unknown:
        problem = f"manifest {manifest}: " + (
            f"unknown columns {', '.join(unknown)}" if unknown else "no 'path' column"
        )
        raise CliError(problem, f"use the header {','.join(MANIFEST_COLUMNS)} (path required)")


def _row(manifest: Path, number: int, row: dict[str, str | None]) -> UploadItem:
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
