"""A reference driver written from the spec: the flows done right, to prove the harness.

Until the client's runtime can be plugged into the network (the adapter, pending), the
scenarios are driven by these small, synchronous, spec-following flows. They exist to show that
every scenario's invariants can be met under every seeded schedule (so a failure of the client
later is the client's, not the harness's), to exercise the model under real traffic, and to
measure it. They are not a second client: no speed, no progress, no options.

What they assume that a real client must not: the index lags at most ``LAG_BOUND`` seconds
(the knob's maximum), and a killed process's requests are over before it restarts.
"""
