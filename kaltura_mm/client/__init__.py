"""``Client`` and ``AsyncClient``: adapters of the runtime's machine to httpx, and nothing else.

Each runs a flow by asking the machine (``kaltura_mm.runtime``) for its next action and doing it:
send a request (the one HTTP boundary, ``kaltura_mm.transport``), wait for answers or a
deadline, hand out an item. Retries, KS renewal, background calls and interleaving are the
machine's, and the verbs and bound services are declared once (``kaltura_mm.verbs``), so both
clients behave the same.
"""

from kaltura_mm.client.asynchronous import AsyncClient
from kaltura_mm.client.base import ClientBase, provider_for
from kaltura_mm.client.sync import Client

__all__ = ["AsyncClient", "Client", "ClientBase", "provider_for"]
