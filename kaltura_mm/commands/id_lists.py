"""Entry ids from a file or stdin (``--from-file FILE|-``), in the forms kaltura-mm itself writes.

Accepted, told apart by the first line that is not blank or a ``#`` comment:

- JSON lines (``list --json``, ``get --json``, the results of ``upload``/``delete``): each
  object's ``id`` or ``entry_id``;
- CSV with a header naming an ``id`` or ``entry_id`` column (``list --format csv``, an
  ``upload --report`` CSV): that column;
- anything else: one id per line (a CSV's first column, so an edited export works too).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError

ID_COLUMNS = ("entry_id", "id")


def read_ids(source: str) -> list[str]:
    """Return the entry ids ``source`` (a path, or ``-`` for stdin) lists, in order."""
    lines = [line for line in _text(source).splitlines() if _meaningful(line)]
    if not lines:
        return []
    if lines[0].lstrip().startswith("{"):
        return [_from_json(source, number, line) for number, line in enumerate(lines, 1)]
    try:
        rows = [row for row in csv.reader(lines) if row]
    except csv.Error as exc:  # a cell past the csv module's 128 KiB limit, a stray quote
        where = "stdin" if source == "-" else source
        raise CliError(
            f"--from-file {where}: not CSV kaltura-mm can read ({exc})",
            "pass kaltura-mm's own JSON lines, its CSV, or one id per line",
        ) from None
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in ID_COLUMNS if name in header), None)
    if column is None:
        return [row[0].strip() for row in rows]
    return [row[column].strip() for row in rows[1:] if len(row) > column]


def _meaningful(line: str) -> bool:
    text = line.strip()
    return bool(text) and not text.startswith("#")


def _text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problem = f"--from-file {source}: no such file"
        raise CliError(problem, "check the path", ExitCode.NOT_FOUND) from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"--from-file {source}: cannot read it ({exc})"
        raise CliError(problem, "pass a UTF-8 text file") from None


def _from_json(source: str, number: int, line: str) -> str:
    where = "stdin" if source == "-" else source
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    value = (
        next((record.get(k) for k in ID_COLUMNS if record.get(k)), None)
        if isinstance(record, dict)
        else None
    )
    if not isinstance(value, str):
        raise CliError(
            f"--from-file {where}, line {number}: not a JSON object with an id or entry_id",
            "pass kaltura-mm's own JSON lines, its CSV, or one id per line",
        )
    return value
