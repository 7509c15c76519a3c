"""``uploadToken.list`` answers the same ``totalCount`` from its kept counts as from counting
rows (issue 20: counting every token of the partner made each list cost more than the last).

The counts are kept by triggers; these tests compare them with ``COUNT(*)`` after every kind of
write (adds, uploads, attachments, deletes, direct SQL), across partners and sizes, and in a
data folder written before the counts existed.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from kaltura_mm.sandbox import Sandbox, token_counts
from kaltura_mm.sandbox.listing import Query
from tests.sandbox.helpers import Api

SIZES = (100, 200, 300)
FILTERS: tuple[dict[str, Any], ...] = (
    {},
    {"statusIn": "0,1,2,3"},
    {"statusIn": "2"},
    {"statusIn": "5"},
    {"statusIn": ""},
    {"statusEqual": 3},
    {"statusEqual": 0},
)


def _tokens(api: Api, size: int, **filters: Any) -> tuple[int, int]:
    """Return (totalCount, objects listed) of a list by ``size`` (all fit in one page)."""
    flt = {"objectType": "KalturaUploadTokenFilter", "fileSizeEqual": size, **filters}
    page = api.call("uploadToken", "list", filter=flt, pager={"pageSize": 500})
    return page["totalCount"], len(page["objects"])


def _rows(sb: Sandbox, partner_id: int, size: int, **filters: Any) -> int:
    """Return how many stored tokens the list's conditions match, counted row by row."""
    q = Query(["partner_id = ?", "file_size = ?", "status != 5"], [partner_id, size])
    if "statusIn" in filters:
        statuses = [int(s) for s in str(filters["statusIn"]).split(",") if s]
        q.in_("status", statuses or None)
    if "statusEqual" in filters:
        q.eq("status", filters["statusEqual"])
    return int(
        sb.core.store.scalar(f"SELECT COUNT(*) FROM upload_tokens WHERE {q.sql()}", q.params)
    )


def _same_answers(sb: Sandbox, api: Api) -> None:
    for size in (*SIZES, 999):
        for filters in FILTERS:
            total, listed = _tokens(api, size, **filters)
            assert total == listed == _rows(sb, sb.partner_id, size, **filters), (size, filters)


def _add(api: Api, size: int | None) -> str:
    token = {"objectType": "KalturaUploadToken", "fileName": "clip.mp4"}
    if size is not None:
        token["fileSize"] = size
    made: dict[str, Any] = api.call("uploadToken", "add", uploadToken=token)
    return str(made["id"])


def test_counts_follow_adds_uploads_attachments_and_deletes(sb: Sandbox, api: Api) -> None:
    other = sb.add_partner()
    stranger = Api(sb, sb.ks(partner_id=other.partner_id))
    for size in SIZES:  # another partner's tokens of the same sizes are never counted
        _add(stranger, size)
    stranger.close()
    made = {size: [_add(api, size) for _ in range(4)] for size in SIZES}
    _add(api, None)  # no size: matched by no fileSizeEqual
    _same_answers(sb, api)
    for size, ids in made.items():
        api.upload(ids[0], b"x" * size)  # FULL_UPLOAD
        api.upload(ids[1], b"x" * (size // 2), final=False)  # PARTIAL_UPLOAD
        entry = api.new_entry()
        resource = {"objectType": "KalturaUploadedFileTokenResource", "token": ids[0]}
        api.call("media", "addContent", entryId=entry["id"], resource=resource)  # CLOSED
        api.call("uploadToken", "delete", uploadTokenId=ids[2])  # DELETED: never listed
    _same_answers(sb, api)


def test_counts_follow_every_write_to_the_table(sb: Sandbox, api: Api) -> None:
    """Random inserts, updates (status, size, partner) and deletes, straight to the store."""
    rng = random.Random(20)
    store = sb.core.store
    partners = [sb.partner_id, sb.add_partner().partner_id]
    for step in range(400):
        move = rng.random()
        ids = [r[0] for r in store.all("SELECT id FROM upload_tokens")]
        if move < 0.4 or not ids:
            size = rng.choice([*SIZES, None])
            store.execute(
                "INSERT INTO upload_tokens (id, partner_id, status, file_size, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, 0, 0)",
                (f"t{step}", rng.choice(partners), rng.choice([0, 1, 2, 3, 5]), size),
            )
        elif move < 0.8:
            column, value = rng.choice(
                [
                    ("status", rng.choice([0, 1, 2, 3, 5])),
                    ("file_size", rng.choice([*SIZES, None])),
                    ("partner_id", rng.choice(partners)),
                    ("updated_at", step),  # not counted: the counts stay
                ]
            )
            store.execute(
                f"UPDATE upload_tokens SET {column} = ? WHERE id = ?",
                (value, rng.choice(ids)),
            )
        else:
            store.execute("DELETE FROM upload_tokens WHERE id = ?", (rng.choice(ids),))
    for partner_id in partners:
        for size in (*SIZES, 999):
            for statuses in ([0, 1, 2, 3], [5], [2], None):
                q = Query(["partner_id = ?", "file_size = ?"], [partner_id, size])
                q.in_("status", statuses)
                assert token_counts.answers(q)
                counted = store.scalar(token_counts.count_sql(q), q.params)
                rows = store.scalar(f"SELECT COUNT(*) FROM upload_tokens WHERE {q.sql()}", q.params)
                assert counted == rows, (partner_id, size, statuses)
    _same_answers(sb, api)


def test_a_filter_on_other_columns_is_counted_row_by_row() -> None:
    named = Query(["partner_id = ?", "file_size = ?", "file_name = ?"], [1, 100, "a.mp4"])
    assert not token_counts.answers(named)
    assert not token_counts.answers(Query(["partner_id = ?", "status = ?"], [1, 2]))  # no size


def test_a_data_folder_written_before_the_counts_is_counted_when_opened(tmp_path: Path) -> None:
    with Sandbox(data_dir=tmp_path) as sb:
        api = Api(sb, sb.ks())
        for size in SIZES:
            for _ in range(size // 100):
                _add(api, size)
        api.close()
        with sb.core.store.tx() as conn:  # as an older sandbox wrote it: no counts, no triggers
            for name in ("insert", "delete", "update"):
                conn.execute(f"DROP TRIGGER upload_token_counts_{name}")
            conn.execute("DROP TABLE upload_token_counts")
        partner_id = sb.partner_id
    with Sandbox(data_dir=tmp_path) as sb:
        assert sb.partner_id == partner_id
        api = Api(sb, sb.ks())
        assert [_tokens(api, size) for size in SIZES] == [(1, 1), (2, 2), (3, 3)]
        _add(api, 100)
        assert _tokens(api, 100) == (2, 2)
        api.close()
