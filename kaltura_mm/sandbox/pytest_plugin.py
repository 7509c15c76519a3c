"""pytest plugin (registered by entry point): sandboxes for your tests that are not kinder than
the real server.

Fixtures:

- ``kaltura_sandbox``: a fresh :class:`Sandbox` per test. Its search index lags writes by a small
  random delay (0.5-2 s) derived from the test's id, so a failure replays with the same lag; a
  failing test's report shows it. Configure it with ``@pytest.mark.kaltura_sandbox(...)``: any
  ``Sandbox`` argument (``index_lag=300`` for minutes of lag...), or ``kind=True`` for a
  consistent sandbox (``index_lag=0``, no IN cut), or ``account="mediaspace"`` for a
  MediaSpace/KMS-shaped account (entitlement, privacy contexts; ``kaltura_sandbox.account``).
- ``kaltura_sandbox_factory``: ``make(**sandbox_arguments)`` starts more sandboxes in one test
  (the marker's options and the test's lag are the defaults); all close when the test ends.
- ``kaltura_sandbox_session``: one sandbox shared by the whole run (a fixed lag).

``--kaltura-index-lag SECONDS`` on the pytest command line fixes the lag for all of them (``0``:
lists see writes at once). Every fixture waits at most 5 s for a final chunk's gaps (the real
server waits 45 s), so a test of that error is quick. To wait for the index in a test, do what a
test against the real server does, poll the list, or call ``kaltura_sandbox.index.settle()``.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from kaltura_mm.sandbox.app import Sandbox

FIXTURE_FINAL_CHUNK_WAIT = 5.0
RANDOM_LAG = (0.5, 2.0)  # seconds: long enough that a list right after a write misses it
MARKER = "kaltura_sandbox"
_SETTINGS = pytest.StashKey[str]()

SandboxFactory = Callable[..., Sandbox]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--kaltura-index-lag``."""
    parser.addoption(
        "--kaltura-index-lag",
        type=float,
        default=None,
        metavar="SECONDS",
        help="index lag of every kaltura_sandbox fixture (default: random 0.5-2 s per test)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``kaltura_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): Sandbox arguments for the kaltura_sandbox fixtures "
        "(e.g. index_lag=300, account='mediaspace'), or kind=True for a consistent sandbox",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Show a failing test's sandbox settings (its lag replays from the test id)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.failed and _SETTINGS in item.stash:
        report.sections.append(("kaltura sandbox", item.stash[_SETTINGS]))


def lag_for(test_id: str) -> float:
    """Return the random index lag a test gets, the same on every run (derived from its id)."""
    return round(random.Random(zlib.crc32(test_id.encode())).uniform(*RANDOM_LAG), 2)


def _options(request: pytest.FixtureRequest, test_id: str) -> dict[str, Any]:
    """Return the Sandbox arguments for a test: defaults, then the command line, then markers."""
    fixed = request.config.getoption("--kaltura-index-lag")
    options: dict[str, Any] = {
        "final_chunk_wait": FIXTURE_FINAL_CHUNK_WAIT,
        "index_lag": lag_for(test_id) if fixed is None else fixed,
    }
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        if marker.args:
            pytest.fail(f"@pytest.mark.{MARKER} takes keyword arguments only", pytrace=False)
        chosen = dict(marker.kwargs)
        if chosen.pop("kind", False):
            options.update(index_lag=0.0, index_max_in_values=None)
        options.update(chosen)
    return options


def _start(options: dict[str, Any]) -> Sandbox:
    try:
        return Sandbox(**options).start()
    except (TypeError, ValueError) as error:
        pytest.fail(f"kaltura sandbox options {options}: {error}", pytrace=False)


def _describe(options: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in sorted(options.items()))
    return f"Sandbox({shown}); the lag is derived from the test id, so a rerun replays it"


@pytest.fixture
def kaltura_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Yield a running sandbox (temporary data) for one test."""
    options = _options(request, request.node.nodeid)
    request.node.stash[_SETTINGS] = _describe(options)
    sandbox = _start(options)
    try:
        yield sandbox
    finally:
        sandbox.close()


@pytest.fixture
def kaltura_sandbox_factory(request: pytest.FixtureRequest) -> Iterator[SandboxFactory]:
    """Yield ``make(**sandbox_arguments)``, starting sandboxes closed when the test ends."""
    defaults = _options(request, request.node.nodeid)
    request.node.stash[_SETTINGS] = _describe(defaults)
    made: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        sandbox = _start({**defaults, **options})
        made.append(sandbox)
        return sandbox

    try:
        yield make
    finally:
        for sandbox in made:
            sandbox.close()


@pytest.fixture(scope="session")
def kaltura_sandbox_session(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Yield one running sandbox shared by the whole test session."""
    fixed = request.config.getoption("--kaltura-index-lag")
    lag = lag_for("kaltura_sandbox_session") if fixed is None else fixed
    with Sandbox(final_chunk_wait=FIXTURE_FINAL_CHUNK_WAIT, index_lag=lag) as sandbox:
        yield sandbox
