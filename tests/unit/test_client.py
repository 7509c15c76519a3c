"""Client and AsyncClient against ScriptedKaltura: retries, KS renewal, flows, progress.

Every behaviour runs under both clients through the ``runner`` fixture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any

import httpx
import pytest

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.errors import (
    ActionBlockedError,
    CategoryNotFoundError,
    EntryNotFoundError,
    InvalidKsError,
    ResponseError,
    TransportError,
)
from kaltura_mm.ks import inspect
from kaltura_mm.models import BaseEntryParams, MediaEntry, UploadTokenParams
from kaltura_mm.protocol.calls import FilePart, MultiRequest
from kaltura_mm.runtime.effects import Emit, Flow, NextDone, Sleep, Start, Stream, single
from kaltura_mm.runtime.renewal import MAX_RENEWALS
from kaltura_mm.services import base_entry, category, category_entry, upload_token
from kaltura_mm.testing import ScriptedKaltura, api_error

FAST = RetryPolicy(attempts=3, initial_backoff=0.0, max_backoff=0.0, jitter=0.0)
SECRET = "CANARY-admin-secret-0123456789"
ENTRY = {"id": "0_a", "name": "a", "objectType": "KalturaMediaEntry"}
EXPIRED = api_error(
    "INVALID_KS",
    'Invalid KS "EXPIRED", Error "-1,INVALID_STR"',
    {"KSID": "EXPIRED", "ERR_CODE": "-1", "ERR_DESC": "INVALID_STR"},
)
Runner = Callable[..., Any]


def _config(**overrides: Any) -> Config:
    values: dict[str, Any] = {"service_url": "http://127.0.0.1:9", "ks": "djJ8fixed", "retry": FAST}
    return Config(**(values | overrides))


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """Return ``run(server, flow, **config) -> result`` for the sync or the async client."""

    def run_sync(server: ScriptedKaltura, flow: Flow[Any], **overrides: Any) -> Any:
        with Client(_config(**overrides), http_transport=server.transport()) as client:
            return client.run(flow, progress=overrides.pop("progress", None))

    def run_async(server: ScriptedKaltura, flow: Flow[Any], **overrides: Any) -> Any:
        async def main() -> Any:
            config = _config(**overrides)
            async with AsyncClient(config, http_transport=server.async_transport()) as client:
                return await client.run(flow)

        return asyncio.run(main())

    return run_sync if request.param == "sync" else run_async


def test_call_returns_the_typed_result(runner: Runner) -> None:
    server = ScriptedKaltura(("baseEntry.get", ENTRY))
    assert runner(server, single(base_entry.get("0_a"))) == MediaEntry(id="0_a", name="a")
    sent = server.requests[0]
    assert sent.headers["content-type"] == "application/json"
    assert server.params()["ks"] == "djJ8fixed"


def test_idempotent_call_is_retried_after_a_reset(runner: Runner) -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", httpx.ReadError("connection reset")),
        ("baseEntry.get", httpx.Response(502, text="<html>bad gateway</html>")),
        ("baseEntry.get", ENTRY),
    )
    assert runner(server, single(base_entry.get("0_a"))).id == "0_a"
    assert server.done


def test_add_is_never_resent_once_it_may_have_reached_the_server(runner: Runner) -> None:
    server = ScriptedKaltura(("baseEntry.add", httpx.ReadError("reset after sending")))
    with pytest.raises(TransportError) as caught:
        runner(server, single(base_entry.add(BaseEntryParams(name="x"))))
    assert caught.value.may_have_reached_server
    assert isinstance(caught.value.__cause__, httpx.ReadError)
    assert len(server.requests) == 1

    server = ScriptedKaltura(("baseEntry.add", httpx.Response(503, text="busy")))
    with pytest.raises(ResponseError, match="HTTP 503"):
        runner(server, single(base_entry.add(BaseEntryParams(name="x"))))
    assert len(server.requests) == 1


def test_add_is_resent_when_the_request_never_left(runner: Runner) -> None:
    server = ScriptedKaltura(
        ("baseEntry.add", httpx.ConnectError("connection refused")),
        ("baseEntry.add", api_error("ACTION_BLOCKED", "blocked")),
        ("baseEntry.add", httpx.Response(429, text="slow down")),
        ("baseEntry.add", ENTRY),
    )
    assert (
        runner(
            server,
            single(base_entry.add(BaseEntryParams(name="x"))),
            retry=RetryPolicy(attempts=4, initial_backoff=0, max_backoff=0, jitter=0),
        ).id
        == "0_a"
    )
    assert server.done


def test_retries_stop_after_the_policy_and_raise_the_last_error(runner: Runner) -> None:
    server = ScriptedKaltura(*[("baseEntry.get", httpx.ConnectTimeout("slow"))] * 3)
    with pytest.raises(TransportError, match="could not reach the server") as caught:
        runner(server, single(base_entry.get("0_a")))
    assert not caught.value.may_have_reached_server and server.done


def test_api_errors_are_not_retried(runner: Runner) -> None:
    server = ScriptedKaltura(("category.get", api_error("CATEGORY_NOT_FOUND", "nope", {"ID": "5"})))
    with pytest.raises(CategoryNotFoundError) as caught:
        runner(server, single(category.get(5)))
    assert caught.value.call == "category.get" and server.done


def test_expired_ks_is_renewed_then_the_call_is_resent(runner: Runner) -> None:
    server = ScriptedKaltura(("baseEntry.get", EXPIRED), ("baseEntry.get", ENTRY))
    result = runner(
        server, single(base_entry.get("0_a")), ks=None, partner_id=7, admin_secret=SECRET
    )
    assert result.id == "0_a"
    first, second = (server.params(i)["ks"] for i in range(2))
    assert first != second and inspect(second, SECRET).verified

    # A fresh KS refused again is renewed again, a bounded number of times.
    server = ScriptedKaltura(*[("baseEntry.get", EXPIRED)] * (MAX_RENEWALS + 1))
    with pytest.raises(InvalidKsError):
        runner(server, single(base_entry.get("0_a")), ks=None, partner_id=7, admin_secret=SECRET)
    assert server.done and len({server.params(i)["ks"] for i in range(MAX_RENEWALS + 1)}) == 4


def test_a_fixed_ks_cannot_be_renewed(runner: Runner) -> None:
    server = ScriptedKaltura(("baseEntry.get", EXPIRED))
    with pytest.raises(InvalidKsError, match="EXPIRED"):
        runner(server, single(base_entry.get("0_a")))


def test_multirequest_expired_everywhere_is_resent_with_a_fresh_ks(runner: Runner) -> None:
    batch = MultiRequest()
    added = batch.add(base_entry.add(BaseEntryParams(name="x")))
    fetched = batch.add(base_entry.get(added.id))

    def flow() -> Flow[Any]:
        response = yield batch
        return response[fetched]

    server = ScriptedKaltura(("multirequest", [EXPIRED, EXPIRED]), ("multirequest", [ENTRY, ENTRY]))
    result = runner(server, flow(), ks=None, partner_id=7, admin_secret=SECRET)
    assert result.id == "0_a" and server.done
    assert server.params()["2"] == {
        "service": "baseentry",
        "action": "get",
        "entryId": "{1:result:id}",
    }


BLOCKED = api_error("ACTION_BLOCKED", 'Action "add" in service "baseentry" is blocked')
LINK = {"objectType": "KalturaCategoryEntry", "entryId": "0_a", "categoryId": 7}


def _create_batch() -> tuple[MultiRequest, Any, Any]:
    batch = MultiRequest()
    made = batch.add(upload_token.add(UploadTokenParams(file_name="a.mp4", file_size=10)))
    added = batch.add(base_entry.add(BaseEntryParams(name="x")))
    linked = batch.add(category_entry.add(added.id, 7))
    return batch, made, linked


def test_a_multirequest_the_limiter_blocked_from_an_item_on_is_finished(runner: Runner) -> None:
    batch, made, linked = _create_batch()

    def flow() -> Flow[Any]:
        response = yield batch
        return response[made], response[linked]

    token = {"objectType": "KalturaUploadToken", "id": "0_t", "fileName": "a.mp4"}
    server = ScriptedKaltura(
        ("multirequest", [token, BLOCKED, BLOCKED]),  # the token was made; nothing after it ran
        ("multirequest", [BLOCKED, BLOCKED]),  # still inside the window
        ("multirequest", [ENTRY, LINK]),
    )
    made_token, link = runner(server, flow())
    assert made_token.id == "0_t" and link.entry_id == "0_a" and server.done
    rest = server.params()
    assert rest["1"]["action"] == "add" and rest["1"]["service"] == "baseentry"
    assert rest["2"]["categoryEntry"]["entryId"] == "{1:result:id}"  # renumbered, not re-run
    assert "3" not in rest  # the token is never made twice


def _receipt_batch() -> tuple[MultiRequest, Any]:
    """A create request: the receipt token's name carries the entry id (``Ref.within``)."""
    batch = MultiRequest()
    batch.add(upload_token.add("a.kmm1.mp4", 10))
    added = batch.add(base_entry.add(BaseEntryParams(name="x")))
    name = added.id.within("a.kmm1.", ".mp4")
    receipt = batch.add(upload_token.add(name, 10))
    return batch, receipt


def test_a_name_holding_a_reference_keeps_its_text_when_sent_again_whole(runner: Runner) -> None:
    batch, receipt = _receipt_batch()

    def flow() -> Flow[Any]:
        return (yield batch)[receipt]

    token = {"objectType": "KalturaUploadToken", "id": "0_r", "fileName": "a.kmm1.0_a.mp4"}
    server = ScriptedKaltura(
        ("multirequest", [BLOCKED] * 3), ("multirequest", [{**token, "id": "0_m"}, ENTRY, token])
    )
    assert runner(server, flow()).id == "0_r"
    # the receipt is found by this name later: losing its text leaves the token unfindable
    assert server.params()["3"]["uploadToken"]["fileName"] == "a.kmm1.{2:result:id}.mp4"


def test_a_name_holding_a_reference_to_an_item_that_ran_gets_its_value_inside(
    runner: Runner,
) -> None:
    batch, receipt = _receipt_batch()

    def flow() -> Flow[Any]:
        return (yield batch)[receipt]

    marker = {"objectType": "KalturaUploadToken", "id": "0_m", "fileName": "a.kmm1.mp4"}
    token = {"objectType": "KalturaUploadToken", "id": "0_r", "fileName": "a.kmm1.0_a.mp4"}
    server = ScriptedKaltura(("multirequest", [marker, ENTRY, BLOCKED]), ("multirequest", [token]))
    assert runner(server, flow()).id == "0_r"
    assert server.params()["1"]["uploadToken"]["fileName"] == "a.kmm1.0_a.mp4"


def test_a_multirequest_with_an_item_run_after_a_blocked_one_is_answered_as_is(
    runner: Runner,
) -> None:
    batch = MultiRequest()
    batch.add(upload_token.add(UploadTokenParams(file_name="a.mp4", file_size=10)))
    batch.add(base_entry.add(BaseEntryParams(name="x")))
    linked = batch.add(category_entry.add("0_a", 7))  # depends on nothing before it

    def flow() -> Flow[Any]:
        response = yield batch
        return response.outcome(linked)

    token = {"objectType": "KalturaUploadToken", "id": "0_t"}
    server = ScriptedKaltura(("multirequest", [token, BLOCKED, LINK]))
    assert runner(server, flow()).entry_id == "0_a"
    assert len(server.requests) == 1  # sending it again could make the link twice


def test_a_paced_multirequest_gets_its_blocked_items_back(runner: Runner) -> None:
    batch = MultiRequest(paced=True)
    first = batch.add(base_entry.get("0_a"))
    second = batch.add(base_entry.get("0_b"))

    def flow() -> Flow[Any]:
        response = yield batch
        return response.outcome(first), response.outcome(second)

    server = ScriptedKaltura(("multirequest", [ENTRY, BLOCKED]))
    got, blocked = runner(server, flow())
    assert got.id == "0_a" and isinstance(blocked, ActionBlockedError)
    assert len(server.requests) == 1  # the batch's pace learns the window from it


def test_a_blocked_call_outlasts_a_ten_second_window(runner: Runner) -> None:
    steps = [("baseEntry.get", BLOCKED)] * 7 + [("baseEntry.get", ENTRY)]
    server = ScriptedKaltura(*steps)
    patient = RetryPolicy(attempts=3, initial_backoff=0.0, max_backoff=0.0, jitter=0.0)
    assert runner(server, single(base_entry.get("0_a")), retry=patient).id == "0_a"
    assert len(server.requests) == 8  # the call's own 3 attempts would have given up
    pauses = [RetryPolicy(jitter=0.0).delay(n, Random(0)) for n in range(1, 8)]
    assert sum(pauses) > 30  # the default policy waits past three fixed 10 s windows


def test_errors_are_thrown_into_the_flow_where_it_can_handle_them(runner: Runner) -> None:
    def flow() -> Flow[list[str]]:
        names = []
        for entry_id in ("0_missing", "0_a"):
            try:
                entry = yield base_entry.get(entry_id)
            except EntryNotFoundError:
                names.append("missing")
                continue
            names.append(entry.name)
        return names

    server = ScriptedKaltura(
        ("baseEntry.get", api_error("ENTRY_ID_NOT_FOUND", "not found")), ("baseEntry.get", ENTRY)
    )
    assert runner(server, flow()) == ["missing", "a"]


def test_background_calls_report_tags_and_outcomes(runner: Runner) -> None:
    def flow() -> Flow[dict[str, Any]]:
        yield Start("first", base_entry.get("0_a"))
        yield Start("second", category.get(5))
        yield Sleep(0.001)
        results = {}
        for _ in range(2):
            tag, outcome = yield NextDone()
            results[tag] = outcome
        try:
            yield NextDone()
        except LookupError:
            results["drained"] = True
        return results

    server = ScriptedKaltura(
        ("baseEntry.get", ENTRY), ("category.get", api_error("CATEGORY_NOT_FOUND", "nope"))
    )
    results = runner(server, flow(), max_concurrency=1)
    assert results["first"].id == "0_a"
    assert isinstance(results["second"], CategoryNotFoundError)
    assert results["drained"]


def test_a_flow_yielding_something_else_is_a_type_error(runner: Runner) -> None:
    def flow() -> Flow[None]:
        yield "not an effect"  # type: ignore[misc]

    with pytest.raises(TypeError, match="not an effect"):
        runner(ScriptedKaltura(), flow())


def _emitting() -> Stream[str]:
    page = yield base_entry.list()
    for entry in page.objects:
        yield Emit(entry.id)


def _counting() -> Flow[int]:
    page = yield base_entry.list()
    return page.total_count


LISTED = {"objects": [ENTRY, ENTRY | {"id": "0_b"}], "totalCount": 2, "objectType": "x"}


def test_iterate_streams_emitted_items() -> None:
    server = ScriptedKaltura(("baseEntry.list", LISTED))
    with Client(_config(), http_transport=server.transport()) as client:
        assert list(client.iterate(_emitting())) == ["0_a", "0_b"]

    async def collect() -> list[str]:
        server = ScriptedKaltura(("baseEntry.list", LISTED))
        async with AsyncClient(_config(), http_transport=server.async_transport()) as client:
            return [item async for item in client.iterate(_emitting())]

    assert asyncio.run(collect()) == ["0_a", "0_b"]


def test_run_refuses_a_stream_and_iterate_a_flow_with_a_result(runner: Runner) -> None:
    # The types say so too (mypy rejects both calls); this is for untyped code.
    with pytest.raises(TypeError, match=r"client\.iterate"):
        runner(ScriptedKaltura(("baseEntry.list", LISTED)), _emitting())  # type: ignore[arg-type]
    server = ScriptedKaltura(("baseEntry.list", LISTED))
    client = Client(_config(), http_transport=server.transport())
    with client, pytest.raises(TypeError, match=r"client\.run.*result"):
        list(client.iterate(_counting()))  # type: ignore[arg-type]


def test_progress_counts_bytes_of_the_part_actually_streamed(tmp_path: Path) -> None:
    media = tmp_path / "clip.mp4"
    media.write_bytes(bytes(range(256)) * 4096)  # 1 MiB
    part = FilePart(path=media, offset=1000, length=600_000)
    token = {"id": "1_t", "uploadedFileSize": "600000", "objectType": "KalturaUploadToken"}
    server = ScriptedKaltura(("uploadToken.upload", token))
    seen: list[int] = []
    with Client(_config(), http_transport=server.transport()) as client:
        call = upload_token.upload("1_t", part)
        result = client.call(call, progress=lambda p, sent: seen.append(sent))
    assert result.uploaded_file_size == 600_000
    assert seen[-1] == 600_000 and seen == sorted(seen) and len(seen) > 1
    body = server.bodies[0]
    assert media.read_bytes()[1000:601_000] in body
    assert server.requests[0].headers["content-length"] == str(len(body))


def test_a_missing_file_is_a_clear_error_before_sending(tmp_path: Path) -> None:
    server = ScriptedKaltura()
    client = Client(_config(), http_transport=server.transport())
    with client, pytest.raises(ValueError, match=r"cannot read .*nope\.mp4"):
        client.call(upload_token.upload("1_t", FilePart(path=tmp_path / "nope.mp4")))
    assert not server.requests


def test_client_accepts_settings_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KALTURA_SERVICE_URL", "http://127.0.0.1:1/api_v3")
    monkeypatch.setenv("KALTURA_KS", "djJ8env")
    with Client.from_env() as client:
        assert client.config.ks == "djJ8env"
        assert "djJ8env" not in repr(client)
    with Client(service_url="eu") as client:
        assert client.config.service_url == "https://api.eu.kaltura.com"


def test_running_a_call_instead_of_a_flow_names_the_fix(runner: Runner) -> None:
    server = ScriptedKaltura()
    with pytest.raises(TypeError, match=r"client\.call\(\.\.\.\)"):
        runner(server, base_entry.get("0_a"))
    with pytest.raises(TypeError, match="flow generator, not list"):
        runner(server, [])
    assert server.requests == []


def test_a_multirequest_blocked_everywhere_is_sent_again_whole(runner: Runner) -> None:
    batch, made, linked = _create_batch()

    def flow() -> Flow[Any]:
        response = yield batch
        return response[made], response[linked]

    token = {"objectType": "KalturaUploadToken", "id": "0_t", "fileName": "a.mp4"}
    server = ScriptedKaltura(
        ("multirequest", [BLOCKED, BLOCKED, BLOCKED]), ("multirequest", [token, ENTRY, LINK])
    )
    made_token, link = runner(server, flow())
    assert made_token.id == "0_t" and link.entry_id == "0_a" and server.done
