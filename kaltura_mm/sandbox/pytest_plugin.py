"""pytest plugin (registered by entry point) giving users a ``kaltura_sandbox`` fixture.

``kaltura_sandbox`` is a fresh :class:`Sandbox` per test; ``kaltura_sandbox_session`` one shared by
the whole run. Both wait at most 5 s for a final chunk's gaps (the real server waits 45 s), so a
test of that error is quick.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kaltura_mm.sandbox.app import Sandbox

FIXTURE_FINAL_CHUNK_WAIT = 5.0


@pytest.fixture
def kaltura_sandbox() -> Iterator[Sandbox]:
    """Yield a running sandbox (temporary data) for one test."""
    with Sandbox(final_chunk_wait=FIXTURE_FINAL_CHUNK_WAIT) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def kaltura_sandbox_session() -> Iterator[Sandbox]:
    """Yield one running sandbox shared by the whole test session."""
    with Sandbox(final_chunk_wait=FIXTURE_FINAL_CHUNK_WAIT) as sandbox:
        yield sandbox
