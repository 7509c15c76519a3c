"""``Client`` and ``AsyncClient``: adapters of the runtime's machine to httpx, and nothing else.

Each runs a flow by asking the machine (``kaltura_mm.runtime``) for its next action and doing it:
send a request (the one HTTP boundary, ``kaltura_mm.transport``), wait for answers or a
deadline, hand out an item. Retries, KS renewal, background calls and interleaving are the
machine's, and the verbs and bound services are declared once (``kaltura_mm.verbs``), so both
clients behave the same.
"""

from typing import TYPE_CHECKING

from kaltura_mm import lazy_import as _lazy_import

# The async client (and asyncio) loads on first use: the command line never needs it.
_EXPORTS = {
    "AsyncClient": "kaltura_mm.client.asynchronous",
    "Client": "kaltura_mm.client.sync",
    "ClientBase": "kaltura_mm.client.base",
    "provider_for": "kaltura_mm.client.base",
}

if TYPE_CHECKING:
    from kaltura_mm.client.asynchronous import AsyncClient as AsyncClient
    from kaltura_mm.client.base import ClientBase as ClientBase
    from kaltura_mm.client.base import provider_for as provider_for
    from kaltura_mm.client.sync import Client as Client
else:
    __all__, __getattr__, __dir__ = _lazy_import.exports(__name__, _EXPORTS)
