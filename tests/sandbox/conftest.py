"""Fixtures for the sandbox tests: a running sandbox with short waits and an admin API helper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A fresh sandbox with short waits."""
    with Sandbox(transcode_delay=0.05, final_chunk_wait=1.0) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb: Sandbox) -> Iterator[Api]:
    """An API helper holding an ADMIN KS of the default partner."""
    helper = Api(sb, sb.ks(user_id="admin@example.com"))
    yield helper
    helper.close()
