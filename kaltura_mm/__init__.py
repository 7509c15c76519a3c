"""kaltura-mm: Kaltura's Media Manager, headless.

A typed client for the Kaltura API v3 services the Media Manager widget uses (baseEntry,
uploadToken, categoryEntry, category, session), the widget's flows (upload, list, detach,
delete) without a browser, a command line and a local Kaltura-compatible sandbox.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
