"""What a sync wants Kaltura to hold: one ``SyncItem`` per entry, read from a folder or a manifest.

Identity. Each item is known on the server by its ``referenceId``, the upsert key of Kaltura's
own XML ingestion: the manifest's ``referenceId`` where given, else ``derived_key(scope, path)``:
``sync-`` and a hash of the sync's category id and the file's path relative to the source (the
folder, or the manifest's folder). The category id is in it so that two syncs of two folders that
hold the same file names into two categories never share an entry; the path, not the content, so
an edited file keeps its entry (the sync replaces its content). A renamed or moved file (or
the same file in another source kind) has another key: its entry is found by its content
(``kaltura_mm.sync.adopt``) where the sync's records know it; a manifest ``referenceId`` keeps
the entry across a rename.

Manifests. CSV with a header, or JSON lines (``.jsonl``/``.ndjson``), one row per entry:
``path`` (required; relative paths start at the manifest's folder), ``referenceId``, ``category``
or ``categories`` (ids or full paths inside the sync's category, several separated by ``,`` or a
JSON list; empty: the sync's category), and the metadata columns ``name``, ``description``,
``tags``, ``adminTags``, ``partnerData``. A metadata column present is managed for every row: an
empty cell clears the field (an empty ``name`` is the file's name). Columns absent are left alone
on the server. A folder manages no metadata: its entries are named after their files when made.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.tables import JSON_LINES, check_cell, csv_header, csv_rows
from kaltura_mm.upload.folder import EMPTY, Selection, walk_folder

KEY_PREFIX = "sync-"
COLUMNS = {
    "path": "path",
    "referenceId": "reference_id",
    "category": "categories",
    "categories": "categories",
    "name": "name",
    "description": "description",
    "tags": "tags",
    "adminTags": "admin_tags",
    "partnerData": "partner_data",
}
METADATA = ("name", "description", "tags", "admin_tags", "partner_data")


def derived_key(scope_id: int, relative: str) -> str:
    """Return the referenceId of the file at ``relative`` (a POSIX path) in the sync ``scope_id``.

    Never ``kmm-...``: the upload engine treats those as its own content-derived names.
    """
    digest = hashlib.sha256(f"{scope_id}\0{relative}".encode()).hexdigest()
    return KEY_PREFIX + digest[:28]


@attrs.frozen(kw_only=True)
class SyncItem:
    """One entry the source wants: its file, identity, metadata and categories.

    ``reference_id`` None means derived (``derived_key``); ``fields`` holds the managed metadata
    (``""`` clears); ``categories`` None means the sync's own category.
    """

    path: Path
    relative: str
    reference_id: str | None = None
    fields: Mapping[str, str] = attrs.field(factory=dict)
    categories: tuple[str, ...] | None = None
    line: int | None = None

    def key(self, scope_id: int) -> str:
        """Return the referenceId this item is known by in the sync ``scope_id``."""
        return self.reference_id or derived_key(scope_id, self.relative)

    @property
    def default_name(self) -> str:
        """Return the name an entry made of this file gets when the source names none."""
        return self.path.stem or self.path.name

    def where(self) -> str:
        """Return how to point at this item in a message (manifest line, or path)."""
        return f"line {self.line} ({self.relative})" if self.line else self.relative


@attrs.frozen
class Source:
    """The items a sync wants, which metadata fields it manages, and what a folder skipped."""

    items: tuple[SyncItem, ...]
    managed: tuple[str, ...] = ()
    origin: str = ""
    skipped: tuple[tuple[Path, str], ...] = ()
    held: tuple[SyncItem, ...] = ()
    """Items skipped for now (their file is empty): their entries are left as they are."""


def read_source(
    path: str | Path,
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    documents: bool = False,
) -> Source:
    """Return the source at ``path``: a folder (walked), a CSV or a JSON-lines manifest."""
    where = Path(path).expanduser()
    if where.is_dir():
        return scan_directory(where, include=include, exclude=exclude, documents=documents)
    if where.is_file() and where.suffix.lower() in (".csv", *JSON_LINES):
        return read_manifest(where)
    if where.exists():
        raise ConfigError(
            f"{where} is neither a folder nor a manifest (.csv, .jsonl): name the folder to "
            "keep in step, or a manifest listing its files"
        )
    raise ConfigError(f"{where}: no such file or folder; check the path")


def scan_directory(
    folder: Path,
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    documents: bool = False,
) -> Source:
    """Return every media file under ``folder`` (hidden ones left out), in path order; an empty
    file is skipped (``held``: its entry, if any, is left as it is)."""
    root = folder.resolve()
    walk = walk_folder(root, Selection(tuple(include), tuple(exclude), documents))
    items = tuple(SyncItem(path=path, relative=relative) for path, relative in walk.files)
    skipped = tuple((s.path, s.reason) for s in walk.skipped)
    held = tuple(
        SyncItem(path=s.path, relative=s.path.relative_to(root).as_posix())
        for s in walk.skipped
        if s.reason == EMPTY
    )
    return Source(items, (), f"folder {root}", skipped, held)


def read_manifest(manifest: Path, columns: Iterable[str] = tuple(COLUMNS)) -> Source:
    """Return the rows of a CSV or JSON-lines manifest; refuse unknown columns and bad rows.

    ``columns`` are those the reader takes (all of ``COLUMNS`` for a sync; ``upload`` takes
    fewer): any other is refused, never read and ignored.
    """
    allowed = tuple(columns)
    is_json = manifest.suffix.lower() in JSON_LINES
    rows = list(_json_rows(manifest) if is_json else _csv_rows(manifest, allowed))
    present = sorted({c for _, row in rows for c in row})
    _check_columns(manifest, present, allowed)
    managed = tuple(f for f in METADATA if any(COLUMNS.get(c) == f for c in present))
    every = tuple(_item(manifest, line, row, managed) for line, row in rows)
    if not every:
        raise ConfigError(f"manifest {manifest} has no rows: list at least one file")
    held = tuple(i for i in every if i.path.stat().st_size == 0)
    items = tuple(i for i in every if i not in held)
    skipped = tuple((i.path, EMPTY) for i in held)
    return Source(items, managed, f"manifest {manifest.resolve()}", skipped, held)


class MissingFileError(ConfigError):
    """A manifest row names a file that does not exist."""


def _check_columns(manifest: Path, names: Iterable[str], allowed: tuple[str, ...]) -> None:
    unknown = [c for c in names if c not in allowed]
    if unknown:
        raise ConfigError(
            f"manifest {manifest}: unknown columns {', '.join(unknown)}; the columns are "
            f"{', '.join(allowed)} (only path is required)"
        )


def _csv_rows(manifest: Path, allowed: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            header = [c.strip() for c in csv_header(handle)]
            _check_columns(manifest, header, allowed)  # a wrong header is named before a row
            if "path" not in header:
                raise ConfigError(
                    f"manifest {manifest} has no 'path' column: its first line is the header, "
                    "such as path,name,description,tags,category,referenceId"
                )
            handle.seek(0)
            yield from csv_rows(handle, f"manifest {manifest}")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"manifest {manifest} is not UTF-8 text (byte {exc.start} cannot be read as UTF-8; "
            "Excel's 'CSV' and 'Unicode Text' save as Windows-1252 and UTF-16): save it from "
            "Excel as 'CSV UTF-8 (Comma delimited)', or re-encode it to UTF-8"
        ) from None


def _json_rows(manifest: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with manifest.open(encoding="utf-8-sig") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ConfigError(
                    f"manifest {manifest}, line {line}: not JSON ({exc.msg})"
                ) from None
            if not isinstance(row, dict):
                raise ConfigError(f"manifest {manifest}, line {line}: expected a JSON object")
            for value in row.values():
                check_cell(value, f"manifest {manifest}:{line}")
            yield line, row


def _text(value: Any, manifest: Path, line: int, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and column in ("tags", "adminTags", "category", "categories"):
        return ",".join(_text(v, manifest, line, column) for v in value)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip()
    raise ConfigError(f"manifest {manifest}, line {line}: {column} must be text, got {value!r}")


def _item(manifest: Path, line: int, row: Mapping[str, Any], managed: tuple[str, ...]) -> SyncItem:
    values = {COLUMNS[c]: _text(v, manifest, line, c) for c, v in row.items()}
    if not values.get("path"):
        raise ConfigError(f"manifest {manifest}, line {line}: the path is empty; fill it in")
    given = Path(values["path"]).expanduser()
    path = given if given.is_absolute() else manifest.parent / given
    if not path.is_file():
        raise MissingFileError(
            f"manifest {manifest}, line {line}: {path} is not a file (relative paths start at "
            "the manifest's folder)"
        )
    try:
        relative = path.resolve().relative_to(manifest.parent.resolve()).as_posix()
    except ValueError:
        relative = path.resolve().as_posix()
    reference = values.get("reference_id") or None
    if reference is not None and len(reference) < 2:
        raise ConfigError(
            f"manifest {manifest}, line {line}: referenceId {reference!r} is too short "
            "(Kaltura needs at least 2 characters)"
        )
    missing = [c for c, f in COLUMNS.items() if f in managed and f not in values]
    if missing:
        raise ConfigError(
            f"manifest {manifest}:{line}: no {', '.join(missing)}, which other rows give: give "
            'it on every row ("" clears the field), so a row left short never clears it'
        )
    cats = [c.strip() for c in values.get("categories", "").split(",") if c.strip()]
    return SyncItem(
        path=path.resolve(),
        relative=relative,
        reference_id=reference,
        fields={f: values.get(f, "") for f in managed},
        categories=tuple(cats) or None,
        line=line,
    )
