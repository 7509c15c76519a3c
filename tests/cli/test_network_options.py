"""``--timeout``, ``--retries`` and ``--max-answer`` (or their KALTURA_MM_* variables) reach the
client, and the clients keep to them.

The servers here are raw loopback sockets: one that hangs up on every connection (counting them,
so the attempts are seen from the server's side), one that accepts and never answers, and
``Answering`` servers that trickle an answer, send a huge one, or read an upload slowly. Each
answer ends by itself, so no server thread outlives its test for long.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import (
    AnswerTimeoutError,
    AnswerTooLargeError,
    AsyncClient,
    Client,
    Config,
    FilePart,
    RetryPolicy,
    ServerSilentError,
    Timeouts,
)
from kaltura_mm.services import base_entry, upload_token

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


@pytest.mark.parametrize("where", [(), ("-c", "42")])  # a category read is a patient one
@pytest.mark.parametrize("retries", [0, 2])
def test_retries_sets_how_often_a_request_is_sent(
    cli: Runner, hanging_up: HangingUp, retries: int, where: tuple[str, ...]
) -> None:
    result = cli("--retries", str(retries), "list", *where)
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
    assert "the answer took longer than --timeout 0.3 s" in result.err
    assert "not-a-real-secret" not in result.err


def test_patience_gives_up_on_a_server_that_never_answers_whatever_the_timeout(
    cli: Runner, silent: int
) -> None:
    started = time.monotonic()
    result = cli("--patience", "1", "--json", "list")  # --timeout stays 120 s, --retries 3
    took = time.monotonic() - started
    assert result.code == 6, result.err
    assert "--patience" in result.err and "not-a-real-secret" not in result.err
    assert took < 20, f"{took:.1f} s: the patience of 1 s did not bound the run"


def test_patience_from_the_environment_bounds_a_server_that_hangs_up(
    cli: Runner, hanging_up: HangingUp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KALTURA_MM_PATIENCE", "0.5")
    result = cli("--retries", "20", "list", "-c", "42")  # a patient read: many rounds allowed
    assert result.code == 6, result.err
    assert "gave up after the patience of 0.5 s" in result.err
    assert hanging_up.connections < 20


def test_bad_values_are_usage_errors(cli: Runner) -> None:
    assert cli("--retries", "-1", "list").code == 2
    negative = cli("--timeout", "0", "list")
    assert negative.code == 2 and "--timeout" in negative.err
    impatient = cli("--patience", "0", "list")
    assert impatient.code == 2 and "--patience" in impatient.err


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


# ---- answers that take too long or are too large ------------------------------------------------

LIST_ANSWER = b'{"objects": [], "totalCount": 0, "objectType": "KalturaBaseEntryListResponse"}'
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
Answer = Callable[["Answering", socket.socket], None]


class Answering:
    """A loopback server answering each request with ``answer(server, conn)``, one thread each.

    The request body is read ``pause`` seconds per 64 KiB (a slow link when > 0). ``received``
    and ``took`` say how much of the body came and how long it took; ``sent`` counts the answer's
    body bytes handed to the socket, so a test sees where the client hung up; ``finished``
    counts the answers sent to their end.
    """

    def __init__(self, answer: Answer, pause: float = 0.0) -> None:
        """Listen on a free loopback port."""
        self.answer, self.pause = answer, pause
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = self.sent = self.finished = 0
        self.took = 0.0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            try:
                self._read_request(conn)
                self.answer(self, conn)
                self.finished += 1
            except OSError:
                return  # the client hung up: what a bounded client does

    def _read_request(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += self._recv(conn)
        started = time.monotonic()
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(v)
                for n, _, v in (h.partition(b":") for h in head.split(b"\r\n"))
                if n.strip().lower() == b"content-length"
            ),
            0,
        )
        got = len(body)
        while got < length:
            time.sleep(self.pause)
            got += len(self._recv(conn))
        self.received, self.took = got, time.monotonic() - started

    @staticmethod
    def _recv(conn: socket.socket) -> bytes:
        data = conn.recv(65536)
        if not data:
            raise ConnectionError("the client hung up")
        return data

    def send(self, conn: socket.socket, data: bytes) -> None:
        """Send ``data`` as part of the answer's body, counting it."""
        conn.sendall(data)
        self.sent += len(data)


def trickle(gap: float, body: bytes = LIST_ANSWER) -> Answer:
    """Answer with the headers at once, then the body one byte every ``gap`` seconds."""

    def answer(server: Answering, conn: socket.socket) -> None:
        conn.sendall(HEAD + b"Content-Length: %d\r\n\r\n" % len(body))
        for index in range(len(body)):
            server.send(conn, body[index : index + 1])
            time.sleep(gap)

    return answer


def huge(size: int, *, declared: bool) -> Answer:
    """Answer with ``size`` bytes of blanks: its length declared, or its end marked by a close."""

    def answer(server: Answering, conn: socket.socket) -> None:
        framing = b"Content-Length: %d\r\n" % size if declared else b"Connection: close\r\n"
        conn.sendall(HEAD + framing + b"\r\n")
        block = b" " * 2**20
        for _ in range(size // len(block)):
            server.send(conn, block)

    return answer


def at_once(body: bytes) -> Answer:
    """Answer with ``body`` at once."""

    def answer(server: Answering, conn: socket.socket) -> None:
        server.send(conn, HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body)

    return answer


@pytest.fixture
def serving(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Answering]]:
    """Start ``Answering`` servers, pointing KALTURA_* at the last one started."""
    servers: list[Answering] = []

    def start(answer: Answer, pause: float = 0.0) -> Answering:
        server = Answering(answer, pause)
        servers.append(server)
        _point_at(monkeypatch, server.port)
        return server

    yield start
    for server in servers:
        server.sock.close()


def test_timeout_bounds_the_whole_answer_not_each_read(
    cli: Runner, serving: Callable[..., Answering]
) -> None:
    server = serving(trickle(gap=0.25))  # a byte every 0.25 s: 20 s for the whole answer
    result = cli("--timeout", "1", "--retries", "0", "--json", "list")
    assert result.code == 6, result.err
    error = json.loads(result.err.splitlines()[-1])
    assert error["error"] == "transport"
    assert "the answer took longer than --timeout 1 s" in error["message"]
    assert "--timeout" in error["fix"] and "KALTURA_MM_TIMEOUT" in error["fix"]
    assert 0 < server.sent < len(LIST_ANSWER) and server.finished == 0


def test_a_read_whose_answer_was_too_slow_is_sent_again(
    cli: Runner, serving: Callable[..., Answering], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = serving(trickle(gap=0.25))
    monkeypatch.setenv("KALTURA_MM_TIMEOUT", "0.5")
    result = cli("--retries", "1", "list")
    assert result.code == 6 and "the answer took longer than --timeout 0.5 s" in result.err
    assert "kaltura-mm: warning: retrying baseEntry.list" in result.err
    assert server.finished == 0


def test_an_answer_past_the_default_cap_is_refused_unread(
    cli: Runner, serving: Callable[..., Answering]
) -> None:
    server = serving(huge(256 * 2**20, declared=True))
    result = cli("--retries", "0", "--json", "list")
    assert result.code == 6, result.err
    error = json.loads(result.err.splitlines()[-1])
    assert error["error"] == "response"
    assert "the answer is larger than 64 MiB" in error["message"]
    assert "--max-answer" in error["fix"] and "KALTURA_MM_MAX_ANSWER" in error["fix"]
    assert server.finished == 0 and server.sent < 64 * 2**20


@pytest.mark.parametrize("how", ["flag", "env"])
def test_max_answer_stops_reading_an_answer_of_unknown_length(
    cli: Runner, serving: Callable[..., Answering], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    server = serving(huge(128 * 2**20, declared=False))
    if how == "env":
        monkeypatch.setenv("KALTURA_MM_MAX_ANSWER", "1MiB")
        result = cli("--retries", "0", "list")
    else:
        result = cli("--max-answer", "1MiB", "--retries", "0", "list")
    assert result.code == 6, result.err
    assert "the answer is larger than 1 MiB" in result.err
    assert server.finished == 0 and server.sent < 32 * 2**20  # it stopped reading


def test_max_answer_takes_sizes_only(cli: Runner) -> None:
    words = cli("--max-answer", "lots", "list")
    assert words.code == 2 and "--max-answer" in words.err
    zero = cli("--max-answer", "0", "list")
    assert zero.code == 2 and "--max-answer" in zero.err


# ---- the same limits in the library, on both clients -------------------------------------------


def _config(port: int, **settings: Any) -> Config:
    url = f"http://127.0.0.1:{port}"
    return Config(service_url=url, ks="a-test-ks", retry=RetryPolicy(attempts=1), **settings)


def _call(config: Config, call: Any, asynchronous: bool) -> Any:
    if asynchronous:

        async def run() -> Any:
            async with AsyncClient(config) as client:
                return await client.call(call)

        return asyncio.run(run())
    with Client(config) as client:
        return client.call(call)


CLIENTS = pytest.mark.parametrize("asynchronous", [False, True], ids=["Client", "AsyncClient"])


@CLIENTS
def test_the_clients_bound_the_whole_answer(
    serving: Callable[..., Answering], asynchronous: bool
) -> None:
    server = serving(trickle(gap=0.25))
    config = _config(server.port, timeouts=Timeouts(answer=0.6))
    with pytest.raises(AnswerTimeoutError) as caught:
        _call(config, base_entry.list(), asynchronous)
    assert caught.value.seconds == 0.6 and caught.value.may_have_reached_server
    assert "the answer took longer than 0.6 s" in str(caught.value)
    assert 0 < server.sent < len(LIST_ANSWER)


@CLIENTS
def test_the_clients_give_up_on_a_silent_server_within_the_patience(
    silent: int, asynchronous: bool
) -> None:
    config = Config(
        service_url=f"http://127.0.0.1:{silent}",
        ks="a-test-ks",
        retry=RetryPolicy(attempts=10, patience=0.8),  # the default timeouts: 120 s an answer
    )
    started = time.monotonic()
    with pytest.raises(ServerSilentError) as caught:
        _call(config, base_entry.get("0_x"), asynchronous)
    assert time.monotonic() - started < 10
    assert caught.value.silent_for < 2 and "patience of 0.8 s" in str(caught.value)


@CLIENTS
@pytest.mark.parametrize("declared", [True, False], ids=["Content-Length", "close-delimited"])
def test_the_clients_cap_the_answer(
    serving: Callable[..., Answering], asynchronous: bool, declared: bool
) -> None:
    server = serving(huge(128 * 2**20, declared=declared))
    config = _config(server.port, max_answer_bytes=2**20)
    with pytest.raises(AnswerTooLargeError) as caught:
        _call(config, base_entry.list(), asynchronous)
    assert caught.value.limit == 2**20 and caught.value.status == 200
    assert "the answer is larger than 1 MiB" in str(caught.value)
    assert server.finished == 0 and server.sent < 32 * 2**20


@CLIENTS
def test_an_upload_slower_than_the_answer_timeout_is_not_cut(
    serving: Callable[..., Answering], tmp_path: Path, asynchronous: bool
) -> None:
    token = b'{"objectType": "KalturaUploadToken", "id": "1_t", "status": 1}'
    server = serving(at_once(token), pause=0.05)  # 2 MiB read 64 KiB per 0.05 s: about 1.6 s
    path = tmp_path / "chunk.bin"
    path.write_bytes(b"x" * 2 * 2**20)
    config = _config(server.port, timeouts=Timeouts(answer=0.5))
    result = _call(config, upload_token.upload("1_t", FilePart(path=path)), asynchronous)
    assert result.id == "1_t"
    assert server.received > 2 * 2**20 and server.took > 0.5  # it was slower than the timeout


@CLIENTS
def test_an_uploads_answer_is_bounded_once_it_begins(
    serving: Callable[..., Answering], tmp_path: Path, asynchronous: bool
) -> None:
    server = serving(trickle(gap=0.25))
    path = tmp_path / "chunk.bin"
    path.write_bytes(b"x" * 2**20)
    config = _config(server.port, timeouts=Timeouts(answer=0.6))
    with pytest.raises(AnswerTimeoutError):
        _call(config, upload_token.upload("1_t", FilePart(path=path)), asynchronous)
    assert server.received > 2**20 and 0 < server.sent < len(LIST_ANSWER)
