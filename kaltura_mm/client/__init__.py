"""``Client`` and ``AsyncClient``: adapters of the runtime's machine to httpx, and nothing else.

Each runs a flow by asking the machine (``kaltura_mm.runtime``) for its next action and doing it:
send a request (the one HTTP boundary, ``kaltura_mm.transport``), wait for answers or a
deadline, hand out an item. Retries, KS renewal, background calls and interleaving are the
machine's, and the verbs and bound services are declared once (``kaltura_mm.verbs``), so both
clients behave the same.
"""

from typing import TYPE_CHECKING, Any

from kaltura_mm.client.base import ClientBase, provider_for
from kaltura_mm.client.sync import Client

if TYPE_CHECKING:
    from kaltura_mm.client.asynchronous import AsyncClient

__all__ = ["AsyncClient", "Client", "ClientBase", "provider_for"]


def __getattr__(name: str) -> Any:
    # The async client (and asyncio) loads on first use: the command line never needs it.
    if name == "AsyncClient":
        from kaltura_mm.client.asynchronous import AsyncClient

        return AsyncClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
