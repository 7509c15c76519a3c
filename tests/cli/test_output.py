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
    record = category_record(
        Category(id=5, name="B", full_name="A>B", full_ids="4>5", parent_id=4, depth=1)
    )
    assert tuple(record) == CATEGORY_KEYS
    assert record["full_name"] == "A>B"


def test_a_table_streams_its_rows_instead_of_holding_them() -> None:
    stream = io.StringIO()
    writer = ResultWriter(Format.TABLE, ENTRY_KEYS, stream, table_keys=("id", "name"))
    for i in range(120):
        writer.write(entry_record(MediaEntry(id=f"0_{i:08}", name=f"talk {i}")))
    shown = stream.getvalue()
    assert "0_00000119" in shown  # printed as it came, before close
    writer.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].split() == ["id", "name"] and len(lines) == 2 + 120
    assert lines[2].index("talk 0") == lines[-1].index("talk 119")  # one column, aligned


def test_control_characters_never_reach_the_terminal_raw() -> None:
    evil = MediaEntry(id="0_abc12345", name="a\x1b[31mred\x07\x9b2J", tags="")
    table = io.StringIO()
    writer = ResultWriter(Format.TABLE, ENTRY_KEYS, table, table_keys=("id", "name"))
    writer.write(entry_record(evil))
    writer.close()
    assert "\x1b" not in table.getvalue() and "a\\e[31mred\\x07\\x9b2J" in table.getvalue()
    lines = io.StringIO()
    jsonl = ResultWriter(Format.JSONL, ENTRY_KEYS, lines)
    jsonl.write(entry_record(evil))
    text = lines.getvalue()
    assert not any(0x7F <= ord(c) < 0xA0 or ord(c) < 0x20 for c in text.rstrip("\n"))
    assert json.loads(text)["name"] == evil.name  # the same text once decoded


def test_empty_text_is_null_like_every_other_empty_value() -> None:
    record = entry_record(MediaEntry(id="0_abc12345", tags="", description=None))
    assert (record["tags"], record["description"]) == (None, None)
