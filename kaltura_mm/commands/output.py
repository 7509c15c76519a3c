"""Results as a table, JSON lines or CSV, with stable, documented keys.

Every command that produces results writes them through a ``ResultWriter``: one record (a flat
``dict``) per result. Every format streams as records arrive, so ``list --all`` over a huge
category starts printing at once and never holds its rows: the table's columns are sized from
its first ``TABLE_SAMPLE`` rows (a later, longer cell pushes its row out of line rather than
being cut). Keys never change meaning; new keys may be added at the end.

What a person reads has its control characters escaped (``\\e``, ``\x07``): a file or entry
named with an ESC must not drive the terminal. JSON escapes them itself (C1 controls too, here);
CSV keeps values exact for the programs that read it, except on a terminal, and except a text
that a spreadsheet would run as a formula (``=HYPERLINK(...)``, a leading ``+ - @``, tab, CR):
that gets a leading ``'`` (``kaltura_mm.tables.csv_cell``, the OWASP CSV-injection rule).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

from rich.cells import cell_len

from kaltura_mm.commands.shell import visible
from kaltura_mm.models import BaseEntry, Category
from kaltura_mm.tables import csv_cell

TABLE_SAMPLE = 50  # rows that size the table's columns before the first is printed
WHY_KEYS = ("error", "message")  # shown in a table when any of its rows has one
_C1 = {chr(c): f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


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


def _name(value: Any) -> Any:
    return value.name if isinstance(value, enum.Enum) else value


def _or_null(value: Any) -> Any:
    return None if value == "" else value


def entry_record(entry: BaseEntry) -> dict[str, Any]:
    """Return an entry's stable record (enums by name, times as Unix seconds)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "type": _name(entry.type),
        "media_type": _name(getattr(entry, "media_type", None)),
        "status": _name(entry.status),
        "categories_ids": _or_null(entry.categories_ids),
        "reference_id": _or_null(entry.reference_id),
        "tags": _or_null(entry.tags),
        "description": _or_null(entry.description),
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
    return visible(str(value))


def json_line(record: Mapping[str, Any]) -> str:
    """Return ``record`` as one line of JSON, keys in their documented order.

    C0 controls are escaped by JSON itself; DEL and C1 controls (a raw 0x9b is a CSI on some
    terminals) are escaped too, which any JSON reader decodes back to the same text.
    """
    text = json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
    if any(c in _C1 for c in text):
        text = "".join(_C1.get(c, c) for c in text)
    return text


class ResultWriter:
    """Write records in one format to a stream as they come; ``close`` ends the output."""

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
        self.stream = stream
        self.count = 0
        self._csv: Any = None
        self._tty = _isatty(stream)
        shown = tuple(table_keys or keys)
        why = tuple(k for k in WHY_KEYS if k in self.keys and k not in shown)
        self._table = _Table(stream, shown, title, why) if fmt is Format.TABLE else None

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record."""
        self.count += 1
        if self._table is not None:
            self._table.add(record)
        elif self.fmt is Format.JSONL:
            self.stream.write(json_line({k: record.get(k) for k in self.keys}) + "\n")
            self.stream.flush()
        else:
            if self._csv is None:
                self._csv = csv.DictWriter(self.stream, fieldnames=self.keys, lineterminator="\n")
                self._csv.writeheader()
            self._csv.writerow({k: self._csv_cell(record.get(k)) for k in self.keys})

    def _csv_cell(self, value: Any) -> Any:
        return csv_cell(visible(value) if self._tty and isinstance(value, str) else value)

    def close(self) -> None:
        """Finish the output: the rest of the table, or the CSV header when there were no rows."""
        if self.fmt is Format.CSV and self._csv is None:
            csv.DictWriter(self.stream, fieldnames=self.keys, lineterminator="\n").writeheader()
        if self._table is not None:
            self._table.close()
        self.stream.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Table:
    """A plain-text table printed as rows come: columns sized from the first rows.

    ``why`` are columns (error, message) shown only when a row has them: a row that failed
    says why. Found in the first rows, they are columns; found later, their cells follow the
    row's last column. Widths count display cells (an emoji or a CJK character takes two).
    """

    def __init__(
        self, stream: IO[str], keys: tuple[str, ...], title: str | None, why: tuple[str, ...] = ()
    ) -> None:
        self.stream = stream
        self.keys = keys
        self.why = why
        self.title = title
        self.widths: list[int] | None = None
        self.waiting: list[list[str]] = []
        self.rows = 0
        self.keep: list[int] = []

    def add(self, record: Mapping[str, Any]) -> None:
        self.rows += 1
        cells = [_cell(k, record.get(k)) for k in (*self.keys, *self.why)]
        if self.widths is None:
            self.waiting.append(cells)
            if len(self.waiting) >= TABLE_SAMPLE:
                self._start()
        else:
            self._line(self._order(cells))

    def _start(self) -> None:
        shown = len(self.keys)
        in_use = [i for i in range(shown, shown + len(self.why)) if any(c[i] for c in self.waiting)]
        self.keep = [*range(shown), *in_use]  # the why columns in use, the rest after them
        self.keep += [i for i in range(shown, shown + len(self.why)) if i not in in_use]
        self.keys = (*self.keys, *(self.why[i - shown] for i in in_use))
        rows = [list(self.keys), *(self._order(c) for c in self.waiting)]
        self.widths = [max(cell_len(r[i]) for r in rows) for i in range(len(self.keys))]
        if self.title:
            self.stream.write(self.title + "\n")
        self._line(list(self.keys))
        self._line(["-" * w for w in self.widths])
        for cells in self.waiting:
            self._line(self._order(cells))
        self.waiting = []

    def _order(self, cells: list[str]) -> list[str]:
        return [cells[i] for i in self.keep] if len(cells) == len(self.keep) else cells

    def _line(self, cells: list[str]) -> None:
        assert self.widths is not None
        columns = len(self.widths)
        last = columns - 1
        padded = [
            c if i == last else c + " " * (w - cell_len(c))
            for i, (c, w) in enumerate(zip(cells[:columns], self.widths, strict=True))
        ]
        padded += [c for c in cells[columns:] if c]  # a why found after the first rows
        self.stream.write("  ".join(padded).rstrip() + "\n")

    def close(self) -> None:
        if not self.rows:
            sys.stderr.write("(no results)\n")  # a notice, not a row: scripts read stdout
        elif self.widths is None:
            self._start()


class FailuresOnly(ResultWriter):
    """What ``--quiet`` prints of a batch's results: each failure, as one line on stderr, and
    nothing else (a cron job mails only when something failed, and then says what)."""

    _WHO = ("path", "entry_id", "name", "reference_id", "id")

    def __init__(self, keys: Sequence[str], stream: IO[str]) -> None:
        """Write the failed records among those with ``keys`` to ``stream``."""
        super().__init__(Format.JSONL, keys, io.StringIO())
        self._failures = stream

    def write(self, record: Mapping[str, Any]) -> None:
        """Write ``record`` if it failed."""
        self.count += 1
        if record.get("status") != "failed":
            return
        who = next((str(record[k]) for k in self._WHO if record.get(k)), "?")
        why = record.get("message") or record.get("error") or "failed"
        self._failures.write(f"kaltura-mm: failed: {visible(who)}: {visible(str(why))}\n")
        self._failures.flush()
