"""Fixtures shared by the integration tests (a module may override ``run`` with its own)."""

from __future__ import annotations

import pytest

from kaltura_mm.sandbox import Sandbox
from tests.integration.upload_support import Run, runner


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Run:
    """Run a flow under the sync or the async client against a fresh sandbox."""
    return runner(request.param, kaltura_sandbox)
