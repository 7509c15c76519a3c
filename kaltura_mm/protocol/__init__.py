"""Kaltura's wire protocol, pure: calls, multiRequest references, JSON codec, HTTP framing.

Nothing here does I/O or imports an HTTP library; the clients in ``kaltura_mm.client`` send the
request descriptions built here and hand back (status, body) to be decoded.
"""
