"""Results as a table, JSON lines or CSV, with stable, documented keys.

Every command that produces results writes them through a ``ResultWriter``: one record (a flat
``dict``) per result. JSON lines and CSV stream as records arrive, so ``list --all`` over a huge
category starts printing at once; a table is drawn when the results are complete. Keys never
change meaning; new keys may be added at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from kaltura_mm.models import BaseEntry, Category


class Format(enum.StrEnum):
    """How results are written."""

    TABLE = "table"
    JSONL = "jsonl"
    CSV = "csv"


ENTRY_KEYS = (
    "id",
    "name",
    "type",
    "media_type",
    "status",
    "categories_ids",
    "reference_id",
    "tags",
    "description",
    "user_id",
    "duration",
    "created_at",
    "updated_at",
)
ENTRY_TABLE = ("id", "name", "type", "status", "categories_ids", "created_at")
CATEGORY_KEYS = (
    "id",
    "name",
    "full_name",
    "parent_id",
    "depth",
    "entries_count",
    "direct_entries_count",
)


_NO_WRAP = frozenset({"id", "entry_id", "created_at", "updated_at", "status"})


def _name(value: Any) -> Any:
    return value.name if isinstance(value, enum.Enum) else value


def entry_record(entry: BaseEntry) -> dict[str, Any]:
    """Return an entry's stable record (enums by name, times as Unix seconds)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "type": _name(entry.type),
        "media_type": _name(getattr(entry, "media_type", None)),
        "status": _name(entry.status),
        "categories_ids": entry.categories_ids,
        "reference_id": entry.reference_id,
        "tags": entry.tags,
        "description": entry.description,
        "user_id": entry.user_id,
        "duration": getattr(entry, "duration", None),
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


def category_record(category: Category) -> dict[str, Any]:
    """Return a category's stable record."""
    return {
        "id": category.id,
        "name": category.name,
        "full_name": category.full_name,
        "parent_id": category.parent_id,
        "depth": category.depth,
        "entries_count": category.entries_count,
        "direct_entries_count": category.direct_entries_count,
    }


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key.endswith("_at") and isinstance(value, int) and value > 0:
        return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M")
    return str(value)


def json_line(record: Mapping[str, Any]) -> str:
    """Return ``record`` as one line of JSON, keys in their documented order."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


class ResultWriter:
    """Write records in one format to a stream; call ``close`` to finish (draws the table)."""

    def __init__(
        self,
        fmt: Format,
        keys: Sequence[str],
        stream: IO[str],
        table_keys: Sequence[str] | None = None,
        title: str | None = None,
    ) -> None:
        """Prepare to write records with ``keys`` (a table shows ``table_keys``) to ``stream``."""
        self.fmt = fmt
        self.keys = tuple(keys)
        self.table_keys = tuple(table_keys or keys)
        self.stream = stream
        self.title = title
        self.count = 0
        self._rows: list[Mapping[str, Any]] = []
        self._csv: Any = None

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record (a table keeps it until ``close``)."""
        self.count += 1
        if self.fmt is Format.JSONL:
            self.stream.write(json_line({k: record.get(k) for k in self.keys}) + "\n")
            self.stream.flush()
        elif self.fmt is Format.CSV:
            if self._csv is None:
                self._csv = csv.DictWriter(self.stream, fieldnames=self.keys, lineterminator="\n")
                self._csv.writeheader()
            self._csv.writerow({k: _csv_cell(record.get(k)) for k in self.keys})
        else:
            self._rows.append(record)

    def close(self) -> None:
        """Finish the output: draw the table, or the CSV header when there were no rows."""
        if self.fmt is Format.CSV and self._csv is None:
            csv.DictWriter(self.stream, fieldnames=self.keys, lineterminator="\n").writeheader()
        if self.fmt is not Format.TABLE:
            return
        # A pipe or file gets wide rows rather than cells wrapped at 80 columns.
        console = Console(file=self.stream, width=None if self.stream.isatty() else 200)
        if not self._rows:
            console.print("(no results)")
            return
        table = Table(title=self.title, show_lines=False, header_style="bold")
        for key in self.table_keys:
            table.add_column(key, overflow="fold", no_wrap=key in _NO_WRAP)
        for row in self._rows:
            table.add_row(*(_cell(k, row.get(k)) for k in self.table_keys))
        console.print(table)


def _csv_cell(value: Any) -> Any:
    return "" if value is None else value
