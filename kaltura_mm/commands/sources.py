"""What ``kaltura-mm upload`` was asked to send: files, directories, globs, or a CSV manifest.

A directory is walked recursively by the library's walker (``kaltura_mm.upload.folder``, the
same as sync's); a glob is expanded by Python (so it works the same when the shell did not
expand it); a ``.csv`` (or ``.jsonl``) argument is a manifest read by the sync's reader
(``kaltura_mm.sync.source.read_manifest``) with the columns
``path,name,description,tags,category,referenceId`` (only ``path`` required; relative paths are
read from the manifest's directory). Every file is listed once, sorted.

What a walk or a glob finds that cannot become an entry is skipped with the reason, not failed
(``Selection.why_not``). A file named on the command line or in a manifest is the user's
explicit wish: it is uploaded, or fails saying why.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.tables import JSON_LINES
from kaltura_mm.upload.folder import EMPTY, Selection, Skipped, walk_folder

MANIFEST_COLUMNS = ("path", "name", "description", "tags", "category", "referenceId")
MANIFEST_SUFFIXES = (".csv", *JSON_LINES)
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
    if path.suffix.lower() in MANIFEST_SUFFIXES and path.is_file():
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
    """Return the files under ``directory`` to upload (``walk_folder``); note what is skipped."""
    found = walk_folder(directory, selection)
    skipped.extend(found.skipped)
    return [path.resolve() for path, _ in found.files]


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
    """Return the rows of a CSV or JSON-lines manifest as upload items (the sync's reader, with
    the columns ``upload`` takes); a row whose file is empty is left out (noted in ``skipped``)."""
    # Imported here: the sync package takes 0.2 s to load, which only a manifest needs.
    from kaltura_mm.sync.source import MissingFileError
    from kaltura_mm.sync.source import read_manifest as read_source_manifest

    try:
        source = read_source_manifest(manifest, MANIFEST_COLUMNS)
    except MissingFileError as exc:  # the file named is what is missing: exit 5, as a path
        raise CliError(str(exc), "fix the path", ExitCode.NOT_FOUND) from None
    if skipped is not None:
        skipped.extend(Skipped(path, reason) for path, reason in source.skipped)
    return [_item(i.path, i.fields, i.categories, i.reference_id) for i in source.items]


def _item(
    path: Path, fields: Mapping[str, str], categories: tuple[str, ...] | None, reference: str | None
) -> UploadItem:
    # An empty cell is "use the command's flag" for an upload (a sync clears the field).
    return UploadItem(
        path=path,
        name=fields.get("name") or None,
        description=fields.get("description") or None,
        tags=fields.get("tags") or None,
        category=",".join(categories) if categories else None,
        reference_id=reference,
    )
