"""Shared fixtures: the real payloads from ../shared/payloads, a canary secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PAYLOADS = REPO.parent / "shared" / "payloads"


def load_payload(name: str) -> Any:
    """Return a real Kaltura payload by file name."""
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


@pytest.fixture
def payloads() -> Path:
    """Return the directory of real Kaltura payloads."""
    assert PAYLOADS.is_dir(), f"expected the shared payloads beside the checkout at {PAYLOADS}"
    return PAYLOADS
