"""Drivers with the mistakes the simulation exists to catch (for the harness's own tests)."""

from __future__ import annotations

from typing import Any

from simulation.drivers import ReferenceDriver, ReferenceProcess
from simulation.reference import upload as reference_upload
from simulation.reference.conn import Conn
from simulation.reference.listing import PAGE
from simulation.world import World


def list_until_a_short_page(conn: Conn, category_id: int) -> list[str]:
    """Walk by createdAt cursor, but stop at the first page shorter than asked (wrong)."""
    listed: list[str] = []
    filt: dict[str, Any] = {"categoriesIdsMatchOr": str(category_id), "orderBy": "+createdAt"}
    while True:
        page = conn.call("baseentry", "list", {"filter": filt, "pager": {"pageSize": PAGE}})
        objects = page["objects"]
        listed += [o["id"] for o in objects if o["id"] not in listed]
        if len(objects) < PAGE:
            return listed
        last = objects[-1]["createdAt"]
        filt["createdAtGreaterThanOrEqual"] = last
        filt["idNotIn"] = ",".join(o["id"] for o in objects if o["createdAt"] == last)


def add_entry_blindly(conn: Conn, source: Any, journal: dict[str, Any]) -> dict[str, Any]:
    """Create the entry, sending the add again whenever its answer is lost (wrong)."""
    if "entry" in journal:
        return dict(conn.call("baseentry", "get", {"entryId": journal["entry"]}))
    entry = {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": source.name}
    created = conn.call("baseentry", "add", {"entry": entry}, safe=True)
    journal["entry"] = created["id"]
    return dict(created)


class CarelessProcess(ReferenceProcess):
    """The reference flows with the two mistakes above."""

    def list_category(self, category: int) -> list[str]:
        return list_until_a_short_page(self.conn, category)

    def upload(self, files: list[Any], category: int | None) -> dict[str, str]:
        original = reference_upload._entry
        reference_upload._entry = add_entry_blindly
        try:
            return super().upload(files, category)
        finally:
            reference_upload._entry = original


class CarelessDriver(ReferenceDriver):
    """Hands out careless processes."""

    name = "careless"

    def process(self, world: World) -> CarelessProcess:
        return CarelessProcess(world, self.journals)


class BlindDetachProcess(ReferenceProcess):
    """The reference flows, but a detach trusts each entry's own ``categoriesIds`` (wrong: a
    privacy-context category never shows there, and it is null under
    ``FEATURE_DISABLE_CATEGORY_LIMIT``): entries not showing the category count as detached."""

    def batch(self, operation: str, ids: list[str], **categories: int) -> dict[str, str]:
        if operation != "detach":
            return super().batch(operation, ids, **categories)
        category = str(categories["category"])
        entries = self.conn.call("baseentry", "getByIds", {"entryIds": ",".join(ids)})
        shown = {e["id"] for e in entries if category in (e.get("categoriesIds") or "").split(",")}
        done = super().batch(operation, [i for i in ids if i in shown], **categories)
        return {**dict.fromkeys(ids, "ok"), **done}


class BlindDetachDriver(ReferenceDriver):
    """Hands out processes whose detach reads ``categoriesIds``."""

    name = "blind"

    def process(self, world: World) -> BlindDetachProcess:
        return BlindDetachProcess(world, self.journals)
