"""A KS or secret never shows in logs, reprs, errors or tracebacks, at any log level.

Real HTTP to the sandbox, with every logger (ours, httpx, httpcore) recording at each level.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import pytest

from kaltura_mm.client import Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.errors import KalturaError
from kaltura_mm.models import BaseEntryParams, Pager, SessionType
from kaltura_mm.protocol.calls import MultiRequest
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, category, session

pytestmark = pytest.mark.timeout(60)
CANARY_KS = "djJ8CANARYCANARYCANARYCANARYCANARYCANARYCANARYCANARY=="
FAST = RetryPolicy(attempts=2, initial_backoff=0.0, max_backoff=0.0, jitter=0.0)


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=1)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append("".join(traceback.format_exception(*record.exc_info)))


@pytest.fixture
def captured(request: pytest.FixtureRequest) -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


def _exercise(client: Client, sandbox: Sandbox, shown: list[str]) -> str:
    """Make calls that succeed, fail, retry and echo KS, keeping every text a user could see."""
    shown += [repr(client), repr(client.config), str(client.config)]
    ks = client.call(
        session.start(sandbox.admin_secret, sandbox.partner_id, type=SessionType.ADMIN)
    )
    shown.append(repr(client.call(category.list(pager=Pager(page_size=1)))))
    batch = MultiRequest()
    batch.add(base_entry.get("0_missing"))
    batch.add(base_entry.add(BaseEntryParams(name="ok")))
    shown.append(repr(client.multi(batch).outcomes))
    attempts = [
        lambda: client.call(base_entry.get("0_missing")),
        lambda: client.call(session.start("wrong-" + sandbox.admin_secret, sandbox.partner_id)),
    ]
    for attempt in attempts:
        try:
            attempt()
        except KalturaError as exc:
            shown.append("".join(traceback.format_exception(exc)))
    with Client(Config(service_url=sandbox.service_url, ks=CANARY_KS, retry=FAST)) as bad:
        try:
            bad.call(category.list())
        except KalturaError as exc:
            shown.append("".join(traceback.format_exception(exc)))
            shown.append(repr(exc))
    return ks


@pytest.mark.parametrize("level", [1, logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR])
def test_no_secret_in_any_output(
    level: int, captured: _Everything, kaltura_sandbox_session: Sandbox
) -> None:
    sandbox = kaltura_sandbox_session
    logging.getLogger().setLevel(level)
    shown: list[str] = []
    config = Config(
        service_url=sandbox.service_url,
        partner_id=sandbox.partner_id,
        admin_secret=sandbox.admin_secret,
        retry=FAST,
    )
    with Client(config) as client:
        started_ks = _exercise(client, sandbox, shown)
        ks_used = client._ks.current()
    text = "\n".join(shown + captured.lines)
    if level <= logging.DEBUG:
        assert "category.list -> HTTP 200" in text  # the logs did record the calls
    for secret in (sandbox.admin_secret, CANARY_KS, ks_used, started_ks, "CANARYCANARY"):
        assert secret not in text
