"""Multi-step operations as pure generators (flows), run by both ``Client`` and ``AsyncClient``.

See ``kaltura_mm.runtime.effects`` for the vocabulary a flow yields and what it receives back.
"""
