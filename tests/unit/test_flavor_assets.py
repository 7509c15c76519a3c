"""Flavor assets: the typed model from a real payload, the ``flavorAsset`` calls, and the bulk
read of entries' sources (pure, against a fake server)."""

from __future__ import annotations

import warnings
from typing import Any

import attrs
import pytest

from kaltura_mm.errors import ActionBlockedError, ApiError, ConfigError
from kaltura_mm.flows.flavors import PAGE, read_sources, source_asset
from kaltura_mm.models import FlavorAsset, FlavorAssetFilter, FlavorAssetStatus, ListPage, Pager
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.protocol.converters import DecodeError
from kaltura_mm.runtime import Answer, Send
from kaltura_mm.services import flavor_asset
from kaltura_mm.testing import answer_for, drive
from tests.conftest import load_payload


def test_a_real_flavor_asset_list_decodes_typed() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = flavor_asset.list(FlavorAssetFilter(entry_id_equal="0_ba9href0")).decoder(
            load_payload("flavor-asset-list.json")
        )
    assert page.total_count == 2
    source, rendition = page.objects
    assert isinstance(source, FlavorAsset)
    assert (source.id, source.entry_id, source.flavor_params_id) == ("0_0xtcdynb", "0_ba9href0", 0)
    assert source.is_original is True and rendition.is_original is False
    assert source.version == 12 and rendition.version == 2  # sent as strings
    assert source.size == 16793 and source.size_in_bytes is None  # KB; no exact size sent
    assert source.status is FlavorAssetStatus.READY and source.frame_rate == 29.97
    assert dict(source.extra) == {}  # every field the server sent is modelled
    assert "0_0xtcdynb" in repr(source) and "size=16793" in repr(source)


@pytest.mark.parametrize("missing", ["id", "entryId"])
def test_an_asset_without_its_ids_is_a_malformed_answer(missing: str) -> None:
    raw = dict(load_payload("flavor-asset-list.json")["objects"][0])
    del raw[missing]
    with pytest.raises(DecodeError, match=f"KalturaFlavorAsset without {missing}"):
        flavor_asset.get("0_0xtcdynb").decoder(raw)


def test_subtypes_decode_as_flavor_assets_without_warning() -> None:
    raw = dict(load_payload("flavor-asset-list.json")["objects"][0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for kind in ("KalturaLiveAsset", "KalturaWidevineFlavorAsset"):
            asset = codec.decode({**raw, "objectType": kind, "sizeInBytes": "17196032"})
            assert isinstance(asset, FlavorAsset) and asset.size_in_bytes == 17196032


def test_list_sends_the_entries_and_the_source_params_and_refuses_no_entries() -> None:
    query = FlavorAssetFilter(entry_id_in=("0_a", "0_b"), flavor_params_id_equal=0)
    call = flavor_asset.list(query, Pager(page_size=500))
    assert (call.service, call.action, call.idempotent) == ("flavorAsset", "list", True)
    assert codec.encode_params(call.params)["filter"] == {
        "entryIdIn": "0_a,0_b",
        "flavorParamsIdEqual": 0,  # 0 is sent: the source's params
        "objectType": "KalturaFlavorAssetFilter",
    }
    for empty in (None, FlavorAssetFilter(flavor_params_id_equal=0)):
        with pytest.raises(ConfigError, match="entry_id_in"):
            flavor_asset.list(empty)
    with pytest.raises(ConfigError, match="string id"):
        flavor_asset.get(7)  # type: ignore[arg-type]


@attrs.define
class Assets:
    """Flavor assets as MySQL holds them; answers ``flavorAsset.list`` as the server does."""

    rows: list[FlavorAsset] = attrs.field(factory=list)
    requests: int = 0
    asked: list[int] = attrs.field(factory=list)
    block_first: int = 0  # answer this many list items ACTION_BLOCKED (the limiter)

    def respond(self, send: Send) -> Answer:
        self.requests += 1
        target = send.target
        calls = target.calls if isinstance(target, MultiRequest) else (target,)
        outcomes = [self._list(c) for c in calls]
        return answer_for(send, outcomes if isinstance(target, MultiRequest) else outcomes[0])

    def _list(self, call: Call[Any]) -> ListPage[FlavorAsset] | ApiError:
        f, pager = call.params["filter"], call.params["pager"]
        ids = set(f.entry_id_in or ()) | ({f.entry_id_equal} - {None})
        assert len(ids) <= 500, "the server's list of values"
        self.asked.append(len(ids))
        if self.block_first:
            self.block_first -= 1
            return ApiError.create("ACTION_BLOCKED", "blocked")
        rows = [
            a
            for a in self.rows
            if a.entry_id in ids
            and a.status is not FlavorAssetStatus.DELETED
            and (f.flavor_params_id_equal is None or a.flavor_params_id == f.flavor_params_id_equal)
        ]
        return ListPage(objects=tuple(rows[: pager.page_size]), total_count=len(rows))


def _asset(entry_id: str, version: int = 2, params: int = 0, **fields: Any) -> FlavorAsset:
    values: dict[str, Any] = {"status": FlavorAssetStatus.READY, "is_original": params == 0}
    return FlavorAsset(
        id=f"a{entry_id}.{params}.{version}",
        entry_id=entry_id,
        version=version,
        flavor_params_id=params,
        **(values | fields),
    )


def test_twenty_thousand_entries_cost_two_requests() -> None:
    ids = [f"0_{n:08d}" for n in range(20_000)]
    server = Assets([_asset(i, params=p) for i in ids for p in (0, 2)])
    driven = drive(read_sources(ids), server)
    found, requests = driven.result
    assert requests == server.requests == 2  # 40 lists of 500 entries, 20 a multiRequest
    assert len(found) == 20_000 and all(a.flavor_params_id == 0 for a in found.values())
    assert set(server.asked) == {PAGE}


def test_a_full_page_is_split_and_each_entry_keeps_its_newest_source() -> None:
    ids = [f"0_{n:08d}" for n in range(500)]
    # one entry with two assets of params 0 (a live entry's recordings): 501 rows for 500 ids
    rows = [_asset(i) for i in ids] + [_asset(ids[7], version=12)]
    rows.append(_asset(ids[8], version=22, status=FlavorAssetStatus.DELETED))
    server = Assets(rows)
    found, _ = drive(read_sources(ids), server).result
    assert server.asked == [500, 250, 250]
    assert found[ids[7]].version == 12 and found[ids[8]].version == 2
    assert len(found) == 500


def test_an_entry_without_a_source_has_none() -> None:
    server = Assets([_asset("0_video", size_in_bytes=2048)])
    assert drive(source_asset("0_image"), server).result is None
    assert drive(source_asset("0_video"), server).result.size_in_bytes == 2048


def test_a_blocked_list_is_asked_again_after_a_pause_and_a_refused_one_raised() -> None:
    # the first of two lists blocked, the second answered: only the blocked one goes again
    ids = [f"0_{n:08d}" for n in range(501)]
    server = Assets([_asset(i) for i in ids], block_first=1)
    driven = drive(read_sources(ids), server)
    found, requests = driven.result
    assert len(found) == 501 and requests == server.requests == 2
    assert server.asked == [500, 1, 500] and len(driven.slept) == 1
    always = Assets([_asset(ids[0])], block_first=1_000)
    with pytest.raises(ActionBlockedError):  # as often as the runtime allows, then its error
        drive(read_sources(ids[:1]), always)
