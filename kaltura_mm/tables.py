"""CSV read strictly and written safely: the one place every manifest reader and CSV writer uses.

Reading (``csv_rows``): a row with fewer or more cells than the header is refused, naming the
file and line, never read as empty values (a short row would otherwise *clear* the fields its
missing cells stand for); a cell over ``MAX_CELL`` characters is refused the same way (Kaltura's
longest text field, an entry's description, holds 64 KiB). Blank lines are skipped. Lines are
counted as the file has them, so a quoted cell spanning lines does not shift the numbers.

Writing (``csv_cell``, ``safe_cell``): a cell a spreadsheet would run as a formula (one
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
``'`` (the OWASP CSV-injection rule), so ``=HYPERLINK(...)`` in an entry's name is shown, not
run. Numbers are written as they are (``-1`` is a number to a spreadsheet, not a formula).
``plain_cell`` undoes it, for a kaltura-mm CSV read back (``update --from-file`` of an edited
``list`` export).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from kaltura_mm.errors import ConfigError

# A manifest in JSON lines (one object per line) is known by its suffix; anything else is CSV.
JSON_LINES = (".jsonl", ".ndjson")
MAX_CELL = 65_536
"""The longest cell a manifest may hold, in characters (Kaltura's description field: 64 KiB)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BadRowError(ConfigError):
    """A CSV row that cannot be read as the header says: ``where`` is ``file:line``."""

    def __init__(self, where: str, problem: str) -> None:
        """Name the row and what is wrong with it."""
        super().__init__(f"{where}: {problem}")
        self.where = where


def csv_rows(lines: Iterable[str], name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each data row of the CSV ``lines`` (the first row is the
    header; ``name`` names the file in errors); refuse short, long or oversized rows."""
    reader = csv.reader(lines)
    header: list[str] | None = None
    end = 0
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadRowError(f"{name}:{reader.line_num or start}", _why(exc)) from None
        end = reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # a blank line
        for cell in cells:
            if len(cell) > MAX_CELL:
                raise BadRowError(
                    f"{name}:{start}",
                    f"a cell holds {len(cell):,} characters, over the {MAX_CELL:,} allowed: "
                    "shorten it (Kaltura keeps at most 64 KiB of text in a field)",
                )
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if len(cells) != len(header):
            raise BadRowError(
                f"{name}:{start}",
                f"{len(cells)} cells, and the header has {len(header)}: every row needs one cell "
                "per column (leave a cell empty with nothing between its commas, and quote a "
                'cell holding a comma: "a, b")',
            )
        yield start, dict(zip(header, cells, strict=True))


def csv_header(lines: Iterable[str]) -> list[str]:
    """Return the header of the CSV ``lines`` (stripped), or [] when there is none."""
    for cells in csv.reader(lines):
        if cells and any(c.strip() for c in cells):
            return [c.strip() for c in cells]
    return []


def check_cell(value: Any, where: str) -> None:
    """Refuse a text value over ``MAX_CELL`` characters (a JSON-lines row's field)."""
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise BadRowError(
            where, f"a value holds {len(value):,} characters, over the {MAX_CELL:,} allowed"
        )


def _why(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is over the {MAX_CELL:,} characters allowed: shorten it"
    return f"not CSV ({text}): check its quotes"


def csv_cell(value: Any) -> Any:
    """Return ``value`` as every kaltura-mm CSV writes it: None empty, text never a formula
    (``safe_cell``), anything else as it is."""
    if value is None:
        return ""
    return safe_cell(value) if isinstance(value, str) else value


def safe_cell(value: str) -> str:
    """Return ``value`` as a spreadsheet shows it, never runs it (``'`` before a formula).

    A value that is already quotes then a formula start gets one more quote, so ``plain_cell``
    gives every value back exactly (``'=x`` is written ``''=x`` and read back ``'=x``).
    """
    return "'" + value if _formula(value) else value


def plain_cell(value: str) -> str:
    """Return the value ``safe_cell`` wrote as ``value`` (a kaltura-mm CSV read back)."""
    return value[1:] if value.startswith("'") and _formula(value) else value


def _formula(value: str) -> bool:
    return value.lstrip("'").startswith(FORMULA_STARTS)
