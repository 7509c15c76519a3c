"""Who drives the flows: the interface every driver offers, and the reference driver.

A driver hands out processes; a process runs the flows over the world's network and may be
killed (``network.Killed``) at the scenario's kill point, after which the scenario starts a new
process that must pick up from whatever the dead one persisted.

``client`` (the default) drives kaltura-mm's own flows through its runtime
(``simulation.client``, imported only when asked for); ``reference`` drives the flows of
``simulation.reference``, written from the spec, which prove the harness.

A driver may keep ``failures`` (flows that ended in an error: each becomes a ``flow_failed``
violation) and ``close()`` (called once the run is checked).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from simulation.reference import batch, listing
from simulation.reference.conn import Conn
from simulation.reference.upload import SourceFile, upload
from simulation.world import World


class Process(Protocol):
    """One driver process: the flows a scenario asks for."""

    def upload(self, files: list[SourceFile], category: int | None) -> dict[str, str]:
        """Upload each file; return file name -> the entry id it now has."""
        ...

    def list_category(self, category: int) -> list[str]:
        """Return the ids listed by walking the category, in order (repeats kept)."""
        ...

    def batch(self, operation: str, ids: list[str], **categories: int) -> dict[str, str]:
        """Run ``detach``/``delete``/``add``/``move``; return entry id -> "ok" or an error."""
        ...


class Driver(Protocol):
    """Hands out processes for a world."""

    name: str

    def process(self, world: World) -> Process:
        """Start a new process (its persisted state survives across processes)."""
        ...

    def deletes_at_once(self, world: World, parts: list[list[str]]) -> dict[str, str]:
        """Delete each part in a process of its own, all started at once (the client's share
        one rate budget); return entry id -> "ok" or an error."""
        ...


class ReferenceProcess:
    """The reference flows, over one connection, with journals that outlive the process."""

    def __init__(self, world: World, journals: dict[str, dict[str, Any]]) -> None:
        rng = world.stream(f"driver-process-{world.net.process}")
        self.conn = Conn(world.net, world.account, rng)
        self.journals = journals

    def upload(self, files: list[SourceFile], category: int | None) -> dict[str, str]:
        """Upload each file not done yet; return file name -> entry id."""
        done: dict[str, str] = {}
        for source in files:
            journal = self.journals.setdefault(source.name, {})
            done[source.name] = upload(self.conn, source, journal, category)
        return done

    def list_category(self, category: int) -> list[str]:
        """Walk the category."""
        return listing.list_category(self.conn, category)

    def batch(self, operation: str, ids: list[str], **categories: int) -> dict[str, str]:
        """Run one batch operation."""
        if operation == "delete":
            return batch.delete(self.conn, ids)
        if operation == "move":
            return batch.move(self.conn, ids, categories["source"], categories["target"])
        flow = batch.detach if operation == "detach" else batch.add
        return flow(self.conn, ids, categories["category"])


class ReferenceDriver:
    """The spec-following flows of ``simulation.reference``."""

    name = "reference"

    def __init__(self) -> None:
        self.journals: dict[str, dict[str, Any]] = {}

    def process(self, world: World) -> Process:
        """Start a reference process sharing this driver's journals."""
        return ReferenceProcess(world, self.journals)

    def deletes_at_once(self, world: World, parts: list[list[str]]) -> dict[str, str]:
        """The reference has no shared budget: its processes go one after another."""
        outcomes: dict[str, str] = {}
        for part in parts:
            outcomes |= self.process(world).batch("delete", part)
        return outcomes


def _client_driver() -> Driver:
    from simulation.client.process import ClientDriver  # loads kaltura_mm's client side

    return ClientDriver()


DRIVERS: dict[str, Callable[[], Driver]] = {"client": _client_driver, "reference": ReferenceDriver}
DEFAULT_DRIVER = "client"
