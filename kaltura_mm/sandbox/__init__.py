"""A local Kaltura-compatible API server for tests, demos and users' own test suites.

Imports nothing from the client side of ``kaltura_mm`` (a test enforces it).
"""
