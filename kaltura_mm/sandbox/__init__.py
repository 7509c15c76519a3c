"""A local Kaltura-compatible API server for tests, demos and users' own test suites.

Imports nothing from the client side of ``kaltura_mm`` (a test enforces it).

Example:
    >>> from kaltura_mm.sandbox import Sandbox
    >>> with Sandbox() as sb:  # doctest: +SKIP
    ...     print(sb.service_url, sb.partner_id)
"""

from kaltura_mm.sandbox.app import Sandbox
from kaltura_mm.sandbox.core import Partner
from kaltura_mm.sandbox.faults import Faults, Stats

__all__ = ["Faults", "Partner", "Sandbox", "Stats"]
