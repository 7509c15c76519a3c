"""The client driver: kaltura-mm's own flows, through its runtime, against the model.

The only part of ``simulation`` that imports the client side of ``kaltura_mm`` (a test
enforces it): ``adapter`` runs a ``kaltura_mm.runtime.Machine`` over the seeded network on
virtual time; ``setup`` is how the run's client is configured (drawn from the seed);
``process`` maps each scenario's flows to the library's verbs and keeps what a killed process
leaves behind (saved upload states, journals).
"""
