"""``--timeout`` and ``--retries`` (or KALTURA_MM_TIMEOUT / KALTURA_MM_RETRIES) reach the client.

The servers here are raw loopback sockets: one that hangs up on every connection (counting them,
so the attempts are seen from the server's side) and one that accepts and never answers.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(60)
Runner = Callable[..., Any]


class HangingUp:
    """A loopback server that closes every connection at once, counting them."""

    def __init__(self) -> None:
        """Listen on a free loopback port."""
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture
def hanging_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingUp]:
    server = HangingUp()
    _point_at(monkeypatch, server.port)
    yield server
    server.sock.close()


@pytest.fixture
def silent(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A loopback port whose listener accepts connections (the kernel does) and never answers."""
    sock = socket.create_server(("127.0.0.1", 0))
    _point_at(monkeypatch, sock.getsockname()[1])
    yield sock.getsockname()[1]
    sock.close()


def _point_at(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("KALTURA_SERVICE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("KALTURA_PARTNER_ID", "101")
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "not-a-real-secret")


@pytest.mark.parametrize("retries", [0, 2])
def test_retries_sets_how_often_a_request_is_sent(
    cli: Runner, hanging_up: HangingUp, retries: int
) -> None:
    result = cli("--retries", str(retries), "list")
    assert result.code == 6, result.err
    assert "no answer from Kaltura" in result.err
    assert hanging_up.connections == retries + 1


def test_retries_from_the_environment(
    cli: Runner, hanging_up: HangingUp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KALTURA_MM_RETRIES", "0")
    assert cli("list").code == 6
    assert hanging_up.connections == 1


def test_timeout_gives_up_on_a_server_that_never_answers(cli: Runner, silent: int) -> None:
    result = cli("--timeout", "0.3", "--retries", "0", "--json", "list")
    assert result.code == 6, result.err
    assert "Timeout" in result.err
    assert "not-a-real-secret" not in result.err


def test_bad_values_are_usage_errors(cli: Runner) -> None:
    assert cli("--retries", "-1", "list").code == 2
    negative = cli("--timeout", "0", "list")
    assert negative.code == 2 and "--timeout" in negative.err


def test_retry_warnings_are_one_liners_and_json_keeps_stderr_json(
    cli: Runner, hanging_up: HangingUp
) -> None:
    human = cli("--retries", "1", "list")
    assert human.err.count("kaltura-mm: warning: retrying baseEntry.list") == 1
    assert "not-a-real-secret" not in human.err
    scripted = cli("--retries", "1", "list", "--json")
    lines = scripted.err.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["exit_code"] == 6
    assert hanging_up.connections == 4
