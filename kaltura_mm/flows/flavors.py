"""Entries' source flavor assets: what each entry's content is now, read in bulk. Pure.

An entry's file lives in its *source* flavor asset (``flavorParamsId`` 0, ``isOriginal``), not
in the entry: ``baseEntry`` carries no size, and a video's replacement swaps the new file into
the same source asset (``kReplacementHelper::relinkAsset`` -> ``asset::linkFromAsset``, which
raises the asset's ``version`` and copies ``size``/``sizeInBytes``) while the entry's own
``version`` stays. So the size ``get`` shows and the sync's sign of another tool's video
replacement are read here (kaltura/server ``FlavorAssetService::listAction``,
``KalturaAssetFilter::doGetListResponse``):

- one ``flavorAsset.list`` per up to 500 entries (``entryIdIn``, ``flavorParamsIdEqual`` 0, a
  page of 500: one source each), up to ``CALLS_PER_REQUEST`` calls in one multiRequest, so
  20,000 entries cost 2 requests;
- the server leaves deleted assets out (``assetPeer``'s default criteria) and the entries the
  session may not see (``entryPeer::filterEntriesByPartnerOrKalturaNetwork``): an entry with
  no source (an image, a document, one without content yet) is simply absent;
- a page that comes back full while the server counts more is split in two and asked again (an
  entry with more than one asset of params 0: a live entry's recordings), never paged by offset.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kaltura_mm.errors import KalturaError
from kaltura_mm.models import FlavorAsset, FlavorAssetFilter, FlavorAssetStatus, ListPage, Pager
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.refs import EntryRef, entry_id_of
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.patience import patiently
from kaltura_mm.services import flavor_asset

SOURCE_PARAMS = 0  # flavorParams::SOURCE_FLAVOR_ID
PAGE = 500
CALLS_PER_REQUEST = 20
SendRound = Callable[[Sequence[Call[Any]]], Flow[list[Any]]]


def source_asset(entry_id: EntryRef) -> Flow[FlavorAsset | None]:
    """Return the entry's source flavor asset: the file it was made or last replaced from, its
    ``size`` (KB), ``size_in_bytes`` and ``version``; None when it has none (an image, a
    document, an entry without content yet)."""
    key = entry_id_of(entry_id)
    found = yield from source_assets([key])
    return found.get(key)


def source_assets(entry_ids: Iterable[str]) -> Flow[dict[str, FlavorAsset]]:
    """Return the source flavor asset of each of ``entry_ids`` that has one, by entry id."""
    found, _ = yield from read_sources(list(dict.fromkeys(entry_ids)))
    return found


def read_sources(
    entry_ids: Sequence[str], send: SendRound | None = None
) -> Flow[tuple[dict[str, FlavorAsset], int]]:
    """Return the source asset of each entry that has one, and the requests it took.

    ``send`` sends one round of calls (a multiRequest) and returns their values in order
    (``kaltura_mm.sync.server`` passes its own, which sends blocked items again); by default one
    multiRequest, sent patiently, any item's error raised.
    """
    asks = deque(tuple(entry_ids[i : i + PAGE]) for i in range(0, len(entry_ids), PAGE))
    found: dict[str, FlavorAsset] = {}
    requests = 0
    while asks:
        round_ = [asks.popleft() for _ in range(min(len(asks), CALLS_PER_REQUEST))]
        pages = yield from (send or _send)([_ask(ids) for ids in round_])
        requests += 1
        for ids, page in zip(round_, pages, strict=True):
            if _partial(page) and len(ids) > 1:
                asks.extend((ids[: len(ids) // 2], ids[len(ids) // 2 :]))
                continue
            _keep(found, page.objects)
    return found, requests


def _ask(ids: Sequence[str]) -> Call[ListPage[FlavorAsset]]:
    query = FlavorAssetFilter(entry_id_in=tuple(ids), flavor_params_id_equal=SOURCE_PARAMS)
    return flavor_asset.list(query, Pager(page_size=PAGE))


def _partial(page: ListPage[FlavorAsset]) -> bool:
    return len(page.objects) >= PAGE and page.total_count > len(page.objects)


def _keep(found: dict[str, FlavorAsset], assets: Iterable[FlavorAsset]) -> None:
    """Keep each entry's source: the original one, the newest version if several."""
    for asset in assets:
        if asset.is_original is False or asset.status is FlavorAssetStatus.DELETED:
            continue
        held = found.get(asset.entry_id)
        if held is None or (asset.version or 0) > (held.version or 0):
            found[asset.entry_id] = asset


def _send(calls: Sequence[Call[Any]]) -> Flow[list[Any]]:
    batch = MultiRequest()
    refs = [batch.add(call) for call in calls]
    answer: MultiResponse = yield from patiently(batch)
    values = [answer.outcome(ref) for ref in refs]
    for value in values:
        if isinstance(value, KalturaError):
            raise value
    return values
