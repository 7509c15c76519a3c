"""``--report FILE`` for ``sync``, ``apply`` and the batch commands (``detach``, ``delete``,
``move``, ``add``, ``update``): one JSON line per item, written as it lands.

The file is opened before anything is sent (a path that cannot be written is refused first,
exit 2) and each line is flushed as its item ends, so a run that is interrupted or killed leaves
a report of what landed. The lines are the results' own records (the keys ``--json`` prints),
whatever ``--format`` the terminal gets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import click

from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.output import Format, ResultWriter, json_line

report_option = click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write every item's result to FILE, one JSON line each, as it lands.",
)


class ReportFile:
    """The report file alone: one JSON line per record with ``keys``, flushed as it lands."""

    def __init__(self, path: Path, keys: Sequence[str]) -> None:
        """Make ``path`` anew (a path that cannot be written is refused here, exit 2)."""
        self.keys = tuple(keys)
        try:
            self.file: IO[str] = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise CliError(
                f"--report {path}: {exc.strerror}", "pick a file you can write"
            ) from None

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record's line and flush it."""
        self.file.write(json_line({k: record.get(k) for k in self.keys}) + "\n")
        self.file.flush()

    def close(self) -> None:
        """Close the file."""
        self.file.close()


class ReportedWriter(ResultWriter):
    """A writer that passes each record on and also writes it to a report file."""

    def __init__(self, inner: ResultWriter, keys: Sequence[str], path: Path) -> None:
        """Write to ``inner`` and, as JSON lines with ``keys``, to ``path`` (made anew)."""
        super().__init__(Format.JSONL, keys, inner.stream)
        self.inner = inner
        self.report = ReportFile(path, keys)

    def write(self, record: Mapping[str, Any]) -> None:
        """Write ``record`` to both."""
        self.count += 1
        self.inner.write(record)
        self.report.write(record)

    def close(self) -> None:
        """Close both."""
        self.inner.close()
        self.report.close()


def with_report(writer: ResultWriter, keys: Sequence[str], path: Path | None) -> ResultWriter:
    """Return ``writer``, also writing to ``path`` when one is given."""
    return writer if path is None else ReportedWriter(writer, keys, path)


def empty_report(path: Path | None) -> None:
    """Write an empty report to ``path`` (a run with nothing to apply), if one is asked for."""
    if path is None:
        return
    try:
        path.write_text("", encoding="utf-8")
    except OSError as exc:
        raise CliError(f"--report {path}: {exc.strerror}", "pick a file you can write") from None
