"""uploadToken as the real server races (``kUploadTokenMgr``): last writer wins on
``uploadedFileSize``, pending chunks join only when a later request starts, and a failed final
request leaves its part behind."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error, wait_for_status

C = 1000  # chunk size


def _token(api: Api) -> str:
    return str(
        api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})["id"]
    )


def _chunk(api: Api, token: str, data: bytes, at: int, final: bool = False) -> Any:
    return api.upload(token, data[at : at + C], resume=True, final=final, resume_at=at)


def _held(sb: Sandbox, count: int) -> None:
    deadline = time.monotonic() + 10
    while sb.upload_races.holding != count:
        assert time.monotonic() < deadline, "the chosen request was never held"
        time.sleep(0.01)


def _race(sb: Sandbox, api: Api, token: str, data: bytes) -> tuple[Any, Any]:
    """Send the middle chunk, held at its end, then the final chunk; return both answers."""
    sb.upload_races.delay_chunk_end(1.0, resume_at=C)
    middle: list[Any] = []
    worker = Api(sb, api.ks)
    thread = threading.Thread(target=lambda: middle.append(_chunk(worker, token, data, C)))
    thread.start()
    _held(sb, 1)  # its bytes are in; its result is not saved yet
    final = _chunk(api, token, data, 2 * C, final=True)
    thread.join(10)
    worker.close()
    return middle[0], final


def test_a_middle_chunk_ending_after_the_final_one_leaves_a_smaller_size_on_a_closed_token(
    sb: Sandbox, api: Api
) -> None:
    data = os.urandom(3 * C)
    entry = api.new_entry()
    token = _token(api)
    api.upload(token, data[:C], final=False, resume_at=0)
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    api.call("baseEntry", "addContent", entryId=entry["id"], resource=resource)
    middle, final = _race(sb, api, token, data)
    assert final["status"] == 3 and final["uploadedFileSize"] == str(3 * C)
    assert middle["status"] == 1 and middle["uploadedFileSize"] == str(2 * C)  # its own view
    now = api.call("uploadToken", "get", uploadTokenId=token)
    assert now["status"] == 3  # the stale PARTIAL was not written back...
    assert now["uploadedFileSize"] == str(2 * C)  # ...but the smaller size was
    assert wait_for_status(api, entry["id"], 2)["status"] == 2
    assert sb.entry_bytes(entry["id"]).read_bytes() == data  # the content is whole


def test_a_full_upload_token_can_report_less_than_its_size_and_still_attach_whole(
    sb: Sandbox, api: Api
) -> None:
    data = os.urandom(3 * C)
    token = _token(api)
    api.upload(token, data[:C], final=False, resume_at=0)
    _race(sb, api, token, data)
    now = api.call("uploadToken", "get", uploadTokenId=token)
    assert now["status"] == 2 and now["uploadedFileSize"] == str(2 * C)
    entry = api.new_entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    api.call("baseEntry", "addContent", entryId=entry["id"], resource=resource)
    assert sb.entry_bytes(entry["id"]).read_bytes() == data


def test_the_size_read_during_a_parallel_upload_can_go_down(sb: Sandbox, api: Api) -> None:
    data = os.urandom(4 * C)
    token = _token(api)
    api.upload(token, data[:C], final=False, resume_at=0)
    sb.upload_races.delay_chunk_end(1.0, resume_at=C)
    worker = Api(sb, api.ks)
    thread = threading.Thread(target=lambda: _chunk(worker, token, data, C))
    thread.start()
    _held(sb, 1)
    later = _chunk(api, token, data, 2 * C)  # starts at the end the held chunk left
    assert later["uploadedFileSize"] == str(3 * C)
    assert api.call("uploadToken", "get", uploadTokenId=token)["uploadedFileSize"] == str(3 * C)
    thread.join(10)
    worker.close()
    assert api.call("uploadToken", "get", uploadTokenId=token)["uploadedFileSize"] == str(2 * C)
    done = _chunk(api, token, data, 3 * C, final=True)
    assert done["status"] == 2 and done["uploadedFileSize"] == str(4 * C)


def test_pending_chunks_join_only_when_a_later_request_starts(api: Api) -> None:
    data = os.urandom(5 * C)
    token = _token(api)
    api.upload(token, data[:C], final=False, resume_at=0)
    assert _chunk(api, token, data, 2 * C)["uploadedFileSize"] == str(C)  # beyond a gap
    filled = _chunk(api, token, data, C)
    assert filled["uploadedFileSize"] == str(2 * C)  # the chunk at 2C now starts at the end...
    assert api.call("uploadToken", "get", uploadTokenId=token)["uploadedFileSize"] == str(2 * C)
    later = _chunk(api, token, data, 3 * C)  # ...and joins when this request starts
    assert later["uploadedFileSize"] == str(4 * C)
    done = _chunk(api, token, data, 4 * C, final=True)
    assert done["status"] == 2 and done["uploadedFileSize"] == str(5 * C)


def test_a_request_appends_at_most_ten_pending_chunks_when_it_starts(api: Api) -> None:
    data = os.urandom(16 * C)
    token = _token(api)
    api.upload(token, data[:C], final=False, resume_at=0)
    for index in range(2, 14):  # twelve chunks waiting beyond the gap at C
        _chunk(api, token, data, index * C)
    assert _chunk(api, token, data, C)["uploadedFileSize"] == str(2 * C)
    assert _chunk(api, token, data, 15 * C)["uploadedFileSize"] == str(12 * C)  # ten joined
    assert _chunk(api, token, data, 14 * C)["uploadedFileSize"] == str(15 * C)  # two more
    done = api.upload(token, b"", resume=True, final=True, resume_at=16 * C)
    assert done["status"] == 2 and done["uploadedFileSize"] == str(16 * C)


def test_a_pending_chunk_overlapping_the_end_waits_for_the_final_request(
    sb: Sandbox, api: Api
) -> None:
    data = os.urandom(300)
    token = _token(api)
    api.upload(token, data[:100], final=False, resume_at=0)
    api.upload(token, data[150:250], resume=True, final=False, resume_at=150)
    assert (
        api.upload(token, data[100:200], resume=True, final=False, resume_at=100)[
            "uploadedFileSize"
        ]
        == "200"
    )
    again = api.upload(token, data[:100], resume=True, final=False, resume_at=0)
    assert again["uploadedFileSize"] == "200"  # the chunk at 150 does not start at the end
    done = api.upload(token, data[250:], resume=True, final=True, resume_at=250)
    assert done["status"] == 2 and done["uploadedFileSize"] == "300"
    entry = api.new_entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    api.call("baseEntry", "addContent", entryId=entry["id"], resource=resource)
    assert sb.entry_bytes(entry["id"]).read_bytes() == data


def test_a_failed_final_request_keeps_its_part_so_a_partial_token_can_hold_every_byte(
    sb: Sandbox, api: Api
) -> None:
    data = os.urandom(30)
    token = _token(api)
    api.upload(token, data[:10], final=False, resume_at=0)
    failed = api.upload(token, data[20:], resume=True, final=True, resume_at=20)
    assert is_error(failed, "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
    after = api.call("uploadToken", "get", uploadTokenId=token)
    assert after["status"] == 1 and after["uploadedFileSize"] == "10"  # nothing was saved
    gap = api.upload(token, data[10:20], resume=True, final=False, resume_at=10)
    assert gap["uploadedFileSize"] == "20"
    retry = api.upload(token, data[10:20], resume=True, final=False, resume_at=10)  # a retry
    assert retry["status"] == 1 and retry["uploadedFileSize"] == "30"  # the final part joined
    held = api.call("uploadToken", "get", uploadTokenId=token)
    assert held["status"] == 1 and held["uploadedFileSize"] == "30"  # every byte, still PARTIAL
    done = api.upload(token, data[20:], resume=True, final=True, resume_at=20)
    assert done["status"] == 2 and done["uploadedFileSize"] == "30"
    entry = api.new_entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    api.call("baseEntry", "addContent", entryId=entry["id"], resource=resource)
    assert sb.entry_bytes(entry["id"]).read_bytes() == data


def test_a_final_chunk_at_offset_zero_with_resume_finishes_the_token(api: Api) -> None:
    token = _token(api)
    api.upload(token, b"old", final=False, resume_at=0)
    done = api.upload(token, b"new-bytes", resume=True, final=True, resume_at=0)
    assert done["status"] == 2 and done["uploadedFileSize"] == "9"


def test_race_delays_are_validated_and_cleared(sb: Sandbox) -> None:
    races = sb.upload_races
    races.delay_chunk_end(5.0, resume_at=7, times=None)
    races.clear()
    assert races.take("0_any", 7) == 0.0
    races.delay_chunk_end(0.5, token_id="0_t", times=2)
    assert [races.take("0_t", 1), races.take("0_other", 1), races.take("0_t", 2)] == [0.5, 0, 0.5]
    assert races.take("0_t", 3) == 0.0
    for bad in ({"seconds": -1.0}, {"seconds": 1.0, "times": 0}):
        try:
            races.delay_chunk_end(**bad)  # type: ignore[arg-type]
        except ValueError as error:
            assert "seconds" in str(error)
        else:
            raise AssertionError(f"{bad} was accepted")


def test_the_kind_switch_joins_pending_chunks_in_the_same_request(sb: Sandbox, api: Api) -> None:
    sb.upload_races.join_pending_at_once = True
    data = os.urandom(3 * C)
    token = _token(api)
    api.upload(token, data[:C], final=False, resume_at=0)
    _chunk(api, token, data, 2 * C)
    assert _chunk(api, token, data, C)["uploadedFileSize"] == str(3 * C)
