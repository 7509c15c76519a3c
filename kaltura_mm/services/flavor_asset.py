"""The ``flavorAsset`` service: the renditions of an entry's media, the source among them.

Built from kaltura/server ``api_v3/services/FlavorAssetService.php`` (``get``, ``list``) and
``api_v3/lib/types/conversionProfile/`` (``KalturaAsset``, ``KalturaFlavorAsset``, the asset
filters): ``list`` refuses a filter naming no entry, leaves deleted assets out, and answers a
``KalturaFlavorAssetListResponse`` whose items may be subtypes (a live asset, a Widevine one).
"""

from __future__ import annotations

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import FlavorAsset, FlavorAssetFilter, ListPage, Pager
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.services import arguments

SERVICE = "flavorAsset"


def get(id: str) -> Call[FlavorAsset]:
    """Build the call fetching one flavor asset by its id (``FLAVOR_ASSET_ID_NOT_FOUND`` when
    it is missing or deleted)."""
    params = {"id": arguments.text_id("id", id, example="0_0xtcdynb")}
    return Call(
        service=SERVICE, action="get", params=params, decoder=codec.decoder_for(FlavorAsset)
    )


def list(
    filter: FlavorAssetFilter | None = None, pager: Pager | None = None
) -> Call[ListPage[FlavorAsset]]:
    """Build the call listing flavor assets; the filter must name the entries
    (``entry_id_equal`` or ``entry_id_in``: the server refuses a list of every asset)."""
    arguments.instance("filter", filter, FlavorAssetFilter)
    arguments.instance("pager", pager, Pager)
    if filter is None or not (filter.entry_id_equal or filter.entry_id_in):
        raise ConfigError(
            "flavor_asset.list needs the entries: pass FlavorAssetFilter(entry_id_equal=...) "
            "or entry_id_in=[...] (the server refuses a list of every asset)"
        )
    return Call(
        service=SERVICE,
        action="list",
        params={"filter": filter, "pager": pager},
        decoder=codec.list_decoder(FlavorAsset),
    )
