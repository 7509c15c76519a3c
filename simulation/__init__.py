"""The deterministic simulation: kaltura-mm's flows against a Kaltura model, seed by seed.

Single-threaded, on a virtual clock, every random choice from the seed, so a failing run
replays with one printed command (``python -m simulation --seed N --scenario X``).

- ``model/``: an in-process Kaltura API v3 written from the spec, HTTP values in and out, with
  the real server's unkindness as knobs (``knobs.ModelKnobs``); ground truth for the checks.
- ``network``: requests in flight between a driver and the model, seeded latencies,
  interleavings and faults (resets, lost answers, 5xx pages, ``ACTION_BLOCKED``), budgets, kills.
- ``knobs``: the schedule of unkindness, drawn from the seed.
- ``scenarios`` / ``world``: what each run builds and drives; ``invariants``: what must hold.
- ``drivers``: who drives the flows. ``reference/`` is a small spec-following driver that
  proves the harness; the client's own flows plug in through ``kaltura_mm.runtime`` (the
  adapter, pending).
- ``runner`` / ``__main__``: seeds, summaries, replays.

It imports nothing from the client side of ``kaltura_mm`` (a test enforces it).
"""
