"""Entries' source flavor assets: what each entry's content is now, read in bulk. Pure.

An entry's file lives in its *source* flavor asset (``flavorParamsId`` 0, ``isOriginal``), not
in the entry: ``baseEntry`` carries no size, and a video's replacement swaps the new file into
the same source asset (``kReplacementHelper::relinkAsset`` -> ``asset::linkFromAsset``, which
raises the asset's ``version`` and copies ``size``/``sizeInBytes``) while the entry's own
``version`` stays. So the size ``get`` shows and the sync's sign of another tool's video
replacement are read here (kaltura/server ``FlavorAssetService::listAction``,
``KalturaAssetFilter::doGetListResponse``):

- one ``flavorAsset.list`` per up to 500 entries (``entryIdIn``, ``flavorParamsIdEqual`` 0, a
  page of 500: one source each), up to ``CALLS_PER_REQUEST`` calls in one multiRequest
  (``kaltura_mm.flows.paged``, the reader of pages by id), so 20,000 entries cost 2 requests;
- the server leaves deleted assets out (``assetPeer``'s default criteria) and the entries the
  session may not see (``entryPeer::filterEntriesByPartnerOrKalturaNetwork``): an entry with
  no source (an image, a document, one without content yet) is simply absent;
- a page that comes back full while the server counts more is split in two and asked again (an
  entry with more than one asset of params 0: a live entry's recordings), never paged by offset;
- an item the rate limiter blocked is asked again after a pause; any other error is raised (a
  role without ``flavorAsset.list``: ``ServiceForbiddenError``, which the sync reads as "no
  source was read").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from kaltura_mm.flows.paged import PAGE, chunks, read_pages
from kaltura_mm.models import FlavorAsset, FlavorAssetFilter, FlavorAssetStatus, ListPage, Pager
from kaltura_mm.protocol.calls import Call
from kaltura_mm.refs import EntryRef, entry_id_of
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import flavor_asset

SOURCE_PARAMS = 0  # flavorParams::SOURCE_FLAVOR_ID


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


def read_sources(entry_ids: Sequence[str]) -> Flow[tuple[dict[str, FlavorAsset], int]]:
    """Return the source asset of each entry that has one, and the requests it took."""
    read = yield from read_pages(SourceQuery(ids) for ids in chunks(entry_ids))
    found: dict[str, FlavorAsset] = {}
    for page in read.pages:
        _keep(found, page.objects)
    return found, read.requests


@attrs.frozen
class SourceQuery:
    """One ``flavorAsset.list`` ask: the source assets of these entries."""

    entry_ids: tuple[str, ...]

    def call(self) -> Call[ListPage[FlavorAsset]]:
        """Return the call that asks it."""
        query = FlavorAssetFilter(entry_id_in=self.entry_ids, flavor_params_id_equal=SOURCE_PARAMS)
        return flavor_asset.list(query, Pager(page_size=PAGE))

    def after(self, page: ListPage[FlavorAsset]) -> list[SourceQuery]:
        """Return the ask split in two when ``page`` came back full while the server counts
        more (an entry with several sources), else nothing."""
        ids = self.entry_ids
        partial = len(page.objects) >= PAGE and page.total_count > len(page.objects)
        if not partial or len(ids) < 2:
            return []
        return [SourceQuery(ids[: len(ids) // 2]), SourceQuery(ids[len(ids) // 2 :])]


def _keep(found: dict[str, FlavorAsset], assets: Iterable[FlavorAsset]) -> None:
    """Keep each entry's source: the original one, the newest version if several."""
    for asset in assets:
        if asset.is_original is False or asset.status is FlavorAssetStatus.DELETED:
            continue
        held = found.get(asset.entry_id)
        if held is None or (asset.version or 0) > (held.version or 0):
            found[asset.entry_id] = asset
