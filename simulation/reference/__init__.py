"""A reference driver written from the spec: the flows done right, to prove the harness.

Beside the client driver (``simulation.client``, kaltura-mm's own flows), these small,
synchronous, spec-following flows drive the same scenarios (``--driver reference``). They exist
to show that every scenario's invariants can be met under every seeded schedule (so a failure
of the client is the client's, not the harness's), to exercise the model under real traffic,
and to measure it. They are not a second client: no speed, no progress, no options.

What they assume that a real client must not: the index lags at most ``LAG_BOUND`` seconds
(the knob's maximum), and a killed process's requests are over before it restarts.
"""
