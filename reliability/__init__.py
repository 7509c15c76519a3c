"""The reliability and security suite of kaltura-mm (issue 7), run against the local sandbox.

``python -m reliability [--smoke] [--only NAME ...] [--json PATH] [--markdown PATH]`` runs one
module per scenario (``scenario_<name>.py``, each defining ``NAME``, ``TITLE`` and
``run(ctx) -> Verdict``), prints what each tried and what survived, then one table, and writes the
verdicts as JSON (and, with ``--markdown``, the docs page ``docs/reliability.md``).

Scenarios: fault soak, crash and resume, KS expiry mid-job, throttled account, bad input, secret
canary, isolation. ``--smoke`` runs small sizes in about three minutes (what CI runs, as
tests/reliability); the full run uses the issue's sizes (200 files, 10 crashes, 500 deletes).
"""
