"""IN / NOT IN lists are cut as the real server cuts them: 500 values, then 150 on the index."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api

EVERY = {"objectType": "KalturaBaseEntryFilter", "orderBy": "+createdAt"}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A sandbox with the real cut (and a lag that seeded entries do not feel)."""
    with Sandbox(index_lag=30) as sandbox:
        yield sandbox


def _listed(api: Api, **fields: Any) -> tuple[list[str], int]:
    result = api.call("baseEntry", "list", filter={**EVERY, **fields}, pager={"pageSize": 500})
    return [e["id"] for e in result["objects"]], result["totalCount"]


def test_id_not_in_of_300_ids_excludes_only_the_first_150(sb: Sandbox, api: Api) -> None:
    ids = sb.seed_entries(None, 400)
    listed, total = _listed(api, idNotIn=",".join(ids[:300]))
    assert total == 250
    assert set(listed) == set(ids[150:]), "ids 151-300 come back although excluded"


def test_id_in_keeps_the_150_ids_with_the_smallest_crc32(sb: Sandbox, api: Api) -> None:
    ids = sb.seed_entries(None, 300)
    listed, total = _listed(api, idIn=",".join(ids))
    kept = sorted(ids, key=lambda i: zlib.crc32(i.encode()))[:150]
    assert total == 150 and set(listed) == set(kept)


def test_in_lists_keep_500_values_before_the_index_cut(sb: Sandbox, api: Api) -> None:
    ids = sb.seed_entries(None, 600)
    sb.index.max_in_values = None  # only the filter's own cut is left
    listed, total = _listed(api, idIn=",".join(ids))
    assert total == 500 and set(listed) == set(ids[:500])


def test_reference_id_in_is_not_cut(sb: Sandbox, api: Api) -> None:
    for batch in range(4):  # 600 entries with reference ids, 150 per multirequest
        calls = {
            str(n + 1): {
                "service": "baseEntry",
                "action": "add",
                "entry": {
                    "objectType": "KalturaMediaEntry",
                    "mediaType": 1,
                    "referenceId": f"ref-{batch * 150 + n}",
                },
            }
            for n in range(150)
        }
        api.http.post("/service/multirequest", json={"format": 1, "ks": api.ks, **calls})
    sb.index.settle()
    refs = ",".join(f"ref-{n}" for n in range(600))
    assert api.call("baseEntry", "count", filter={"statusIn": "7", "referenceIdIn": refs}) == 600


def test_the_kind_switch_keeps_every_value(api: Api, sb: Sandbox) -> None:
    ids = sb.seed_entries(None, 400)
    sb.index.max_in_values = None
    listed, total = _listed(api, idNotIn=",".join(ids[:300]))
    assert total == 100 and set(listed) == set(ids[300:])


def test_category_id_in_keeps_the_150_smallest_ids(sb: Sandbox, api: Api) -> None:
    made = [sb.create_category(f"Cut>C{n}") for n in range(200)]
    shuffled = made[100:] + made[:100]
    result = api.call(
        "category", "list", filter={"idIn": ",".join(map(str, shuffled))}, pager={"pageSize": 500}
    )
    assert result["totalCount"] == 150
    assert sorted(c["id"] for c in result["objects"]) == sorted(made)[:150]
    kept = api.call(
        "category",
        "list",
        filter={"idNotIn": ",".join(map(str, shuffled)), "fullNameStartsWith": "Cut>"},
        pager={"pageSize": 500},
    )
    assert sorted(c["id"] for c in kept["objects"]) == made[50:100], "the first 150 only"
