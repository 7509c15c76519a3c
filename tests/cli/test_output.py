"""Result formats: JSON lines and CSV keep their documented keys; the table shows rows."""

from __future__ import annotations

import csv
import io
import json

from kaltura_mm.commands.output import (
    CATEGORY_KEYS,
    ENTRY_KEYS,
    Format,
    ResultWriter,
    category_record,
    entry_record,
)
from kaltura_mm.models import Category, EntryStatus, EntryType, MediaEntry, MediaType

ENTRY = MediaEntry(
    id="0_abc12345",
    name="Lecture, part 1",
    type=EntryType.MEDIA_CLIP,
    media_type=MediaType.VIDEO,
    status=EntryStatus.READY,
    categories_ids="12,34",
    created_at=1700000000,
)


def test_entry_record_has_the_documented_keys_and_names_enums() -> None:
    record = entry_record(ENTRY)
    assert tuple(record) == ENTRY_KEYS
    assert record["status"] == "READY"
    assert record["media_type"] == "VIDEO"
    assert record["created_at"] == 1700000000


def test_jsonl_is_one_object_per_line_in_key_order() -> None:
    stream = io.StringIO()
    writer = ResultWriter(Format.JSONL, ENTRY_KEYS, stream)
    writer.write(entry_record(ENTRY))
    writer.write(entry_record(MediaEntry(id="0_other")))
    writer.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert list(first) == list(ENTRY_KEYS)
    assert first["name"] == "Lecture, part 1"
    assert json.loads(lines[1])["status"] is None


def test_csv_quotes_commas_and_has_a_header_even_when_empty() -> None:
    stream = io.StringIO()
    writer = ResultWriter(Format.CSV, ENTRY_KEYS, stream)
    writer.write(entry_record(ENTRY))
    writer.close()
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert rows[0]["name"] == "Lecture, part 1"
    assert rows[0]["categories_ids"] == "12,34"
    empty = io.StringIO()
    ResultWriter(Format.CSV, CATEGORY_KEYS, empty).close()
    assert empty.getvalue().strip() == ",".join(CATEGORY_KEYS)


def test_table_shows_rows_and_readable_dates() -> None:
    stream = io.StringIO()
    writer = ResultWriter(Format.TABLE, ENTRY_KEYS, stream, table_keys=("id", "created_at"))
    writer.write(entry_record(ENTRY))
    writer.close()
    text = stream.getvalue()
    assert "0_abc12345" in text
    assert "2023-11-14" in text
    assert "Lecture" not in text  # only the table keys are shown


def test_category_record() -> None:
    record = category_record(Category(id=5, name="B", full_name="A>B", parent_id=4, depth=1))
    assert tuple(record) == CATEGORY_KEYS
    assert record["full_name"] == "A>B"
