"""The deterministic simulation: kaltura-mm's flows against a Kaltura model, seed by seed.

Single-threaded, on a virtual clock, every random choice from the seed, so a failing run
replays with one printed command (``python -m simulation --seed N --scenario X``).

- ``model/``: an in-process Kaltura API v3 written from the spec, HTTP values in and out, with
  the real server's unkindness as knobs (``knobs.ModelKnobs``); ground truth for the checks.
- ``network``: requests in flight between a driver and the model, seeded latencies,
  interleavings and faults (resets, lost answers, 5xx pages, ``ACTION_BLOCKED``), budgets, kills.
- ``knobs``: the schedule of unkindness, drawn from the seed; ``accounts``: the account a run
  has with ``--accounts`` (privacy contexts, the category-limit feature, a USER session, other
  users' entries), drawn from its own stream.
- ``scenarios`` / ``world``: what each run builds and drives; ``invariants``: what must hold.
- ``bounds``: how many requests each scenario's flows may take (the ``bounded`` invariant).
- ``drivers``: who drives the flows. ``client/`` (the default) runs kaltura-mm's own flows
  through ``kaltura_mm.runtime``; ``reference/`` is a small spec-following driver that proves
  the harness.
- ``runner`` / ``__main__``: seeds, summaries, replays; ``known_bugs``: client bugs being
  fixed, by seed (``--known-bugs``, strict).

Only ``client/`` imports the client side of ``kaltura_mm``; the model never does (a test
enforces both).
"""
