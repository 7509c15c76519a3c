"""Kaltura Sessions (KS): made locally and read back (``tokens``), and where a client gets one
(``providers``). Every name is importable from ``kaltura_mm.ks`` as before the split.
"""

from kaltura_mm.ks.providers import FixedKs, KsProvider, MintingKsProvider, SecretKs, is_minting
from kaltura_mm.ks.tokens import KsInfo, generate_v1, generate_v2, inspect, token_hash

__all__ = [
    "FixedKs",
    "KsInfo",
    "KsProvider",
    "MintingKsProvider",
    "SecretKs",
    "generate_v1",
    "generate_v2",
    "inspect",
    "is_minting",
    "token_hash",
]
