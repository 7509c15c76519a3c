"""The model's upload tokens, from the spec: racing requests, final-chunk waits, attaching."""

from __future__ import annotations

import pytest

from tests.simulation.support import Bench, error_code, finish, step_until_paused

DATA = bytes(range(256)) * 2  # 512 bytes: four chunks of 128


def _started(bench: Bench) -> str:
    token = bench.token()["id"]
    first = bench.chunk(token, DATA[:128], resume=False, final=False)
    assert (first["status"], first["uploadedFileSize"]) == (1, "128")
    return token


def _token_file(bench: Bench, token_id: str) -> bytes:
    return bytes(bench.state.tokens[token_id].data)


def test_two_racing_chunk_requests_leave_a_complete_token_with_a_smaller_size() -> None:
    bench = Bench()
    token = _started(bench)
    bench.chunk(token, DATA[128:256], resume=True, final=False, resume_at=128)
    middle = bench.start(
        bench.chunk_request(token, DATA[256:384], resume=True, final=False, resume_at=256)
    )
    step_until_paused(middle)  # loaded the token: PARTIAL, 256 bytes
    step_until_paused(middle)  # wrote its part: the file is 384 bytes; not saved yet
    final = bench.chunk(token, DATA[384:], resume=True, final=True, resume_at=384)
    assert (final["status"], final["uploadedFileSize"]) == (2, "512")
    assert finish(middle, bench)["uploadedFileSize"] == "384"
    stored = bench.call("uploadtoken", "get", uploadTokenId=token)
    assert (stored["status"], stored["uploadedFileSize"]) == (2, "384")  # last writer wins
    assert _token_file(bench, token) == DATA  # yet every byte is there


def test_a_failed_final_keeps_its_part_and_a_later_chunk_at_eof_appends_it() -> None:
    bench = Bench()
    token = _started(bench)
    started = bench.clock.now()
    failed = bench.chunk(token, DATA[384:], resume=True, final=True, resume_at=384)
    assert error_code(failed) == "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
    assert bench.clock.now() - started == pytest.approx(44.0)  # 45 tries, a second apart
    bench.chunk(token, DATA[128:256], resume=True, final=False, resume_at=128)
    bench.chunk(token, DATA[256:384], resume=True, final=False, resume_at=256)
    assert _token_file(bench, token) == DATA[:384]  # the final's part waits past EOF
    again = bench.chunk(token, DATA[256:384], resume=True, final=False, resume_at=256)
    assert (again["status"], again["uploadedFileSize"]) == (1, "512")  # PARTIAL, every byte
    assert _token_file(bench, token) == DATA
    done = bench.chunk(token, DATA[384:], resume=True, final=True, resume_at=384)
    assert (done["status"], done["uploadedFileSize"]) == (2, "512")


def test_a_final_chunk_waits_for_a_gap_filled_meanwhile() -> None:
    bench = Bench()
    token = _started(bench)
    bench.chunk(token, DATA[128:256], resume=True, final=False, resume_at=128)
    final = bench.start(
        bench.chunk_request(token, DATA[384:], resume=True, final=True, resume_at=384)
    )
    step_until_paused(final)  # loaded
    waiting = step_until_paused(final)  # stored its part; the gap 256..384 is missing
    assert waiting.until is not None
    bench.chunk(token, DATA[256:384], resume=True, final=False, resume_at=256)
    bench.clock.advance_to(waiting.until)
    assert finish(final, bench)["status"] == 2
    assert _token_file(bench, token) == DATA


def test_a_chunk_loaded_before_the_first_chunk_saved_cannot_resume() -> None:
    bench = Bench()
    token = bench.token()["id"]
    early = bench.start(
        bench.chunk_request(token, DATA[128:256], resume=True, final=False, resume_at=128)
    )
    step_until_paused(early)  # loaded: no temp file yet
    bench.chunk(token, DATA[:128], resume=False, final=False)
    assert error_code(finish(early, bench)) == "UPLOAD_TOKEN_CANNOT_RESUME"


def test_duplicate_and_out_of_order_chunks_make_the_same_file() -> None:
    bench = Bench()
    token = _started(bench)
    for offset in (256, 256, 128, 128, 384):
        final = offset == 384
        bench.chunk(token, DATA[offset : offset + 128], resume=True, final=final, resume_at=offset)
    assert bench.call("uploadtoken", "get", uploadTokenId=token)["status"] == 2
    assert _token_file(bench, token) == DATA


def test_resume_false_restarts_a_partial_token() -> None:
    bench = Bench()
    token = _started(bench)
    again = bench.chunk(token, b"other", resume=False, final=True)
    assert (again["status"], again["uploadedFileSize"]) == (2, "5")
    assert _token_file(bench, token) == b"other"


def test_a_complete_token_refuses_more_chunks() -> None:
    bench = Bench()
    token = bench.token()["id"]
    bench.chunk(token, DATA, resume=False, final=True)
    late = bench.chunk(token, DATA[:128], resume=True, final=False, resume_at=0)
    assert error_code(late) == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"


def test_attaching_a_complete_token_closes_it_and_the_entry_is_ready_after_transcoding() -> None:
    bench = Bench(transcode_delay=(60.0, 60.0))
    token = bench.token()["id"]
    bench.chunk(token, DATA, resume=False, final=True)
    entry = bench.entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    attached = bench.call("baseentry", "updateContent", entryId=entry["id"], resource=resource)
    assert attached["status"] == 1  # PRECONVERT
    assert bench.call("uploadtoken", "get", uploadTokenId=token)["status"] == 3
    bench.advance(61)
    assert bench.call("baseentry", "get", entryId=entry["id"])["status"] == 2
    assert bench.model.truth().entries[entry["id"]].content == DATA


def test_an_entry_given_an_incomplete_token_waits_in_import_and_completes_with_it() -> None:
    bench = Bench()
    token = _started(bench)
    entry = bench.entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    attached = bench.call("baseentry", "updateContent", entryId=entry["id"], resource=resource)
    assert attached["status"] == 0  # IMPORT, no error
    pending = bench.call("uploadtoken", "get", uploadTokenId=token)
    assert pending["attachedObjectType"] == "flavorAsset"
    bench.chunk(token, DATA[128:384], resume=True, final=False, resume_at=128)
    done = bench.chunk(token, DATA[384:], resume=True, final=True, resume_at=384)
    assert done["status"] == 3  # the same request closed it
    assert bench.call("baseentry", "get", entryId=entry["id"])["status"] == 2
    assert bench.model.truth().entries[entry["id"]].content == DATA


def test_deleting_a_token_an_entry_waits_for_leaves_the_entry_without_content() -> None:
    bench = Bench()
    token = _started(bench)
    entry = bench.entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    bench.call("baseentry", "updateContent", entryId=entry["id"], resource=resource)
    assert bench.call("uploadtoken", "delete", uploadTokenId=token) is None
    assert bench.call("baseentry", "get", entryId=entry["id"])["status"] == 7
    gone = bench.call("uploadtoken", "get", uploadTokenId=token)
    assert error_code(gone) == "UPLOAD_TOKEN_NOT_FOUND"


def test_giving_content_twice_needs_replacement_which_the_partner_lacks() -> None:
    bench = Bench()
    token = bench.token()["id"]
    bench.chunk(token, DATA, resume=False, final=True)
    entry = bench.entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    bench.call("baseentry", "updateContent", entryId=entry["id"], resource=resource)
    again = bench.call("baseentry", "updateContent", entryId=entry["id"], resource=resource)
    assert error_code(again) == "FEATURE_FORBIDDEN"


def test_an_entry_given_a_closed_token_waits_in_import_for_ever() -> None:
    bench = Bench()
    token = bench.token()["id"]
    bench.chunk(token, DATA, resume=False, final=True)
    first, second = bench.entry("a"), bench.entry("b")
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    bench.call("baseentry", "updateContent", entryId=first["id"], resource=resource)
    stuck = bench.call("baseentry", "updateContent", entryId=second["id"], resource=resource)
    assert stuck["status"] == 0
    bench.advance(86_400)
    assert bench.call("baseentry", "get", entryId=second["id"])["status"] == 0


def test_token_values_keep_the_real_server_types() -> None:
    bench = Bench()
    token = bench.token()
    assert token["autoFinalize"] is False and "uploadedFileSize" not in token
    uploaded = bench.chunk(token["id"], DATA, resume=False, final=True)
    assert uploaded["uploadedFileSize"] == "512"  # a string: a bigint column
    assert list(uploaded)[-1] == "objectType"


def test_listing_tokens_by_file_name_leaves_out_closed_ones() -> None:
    bench = Bench()
    open_token = bench.token("same.mp4")["id"]
    closed = bench.token("same.mp4")["id"]
    bench.chunk(closed, DATA, resume=False, final=True)
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": closed}
    bench.call("baseentry", "updateContent", entryId=bench.entry()["id"], resource=resource)
    found = bench.call("uploadtoken", "list", filter={"fileNameEqual": "same.mp4"})
    assert [t["id"] for t in found["objects"]] == [open_token]


def test_a_partial_token_idle_for_seven_days_cannot_be_resumed() -> None:
    bench = Bench()
    token = _started(bench)
    bench.advance(604_801)
    late = bench.chunk(token, DATA[128:256], resume=True, final=False, resume_at=128)
    assert error_code(late) == "UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED"


def test_token_list_never_returns_deleted_and_has_no_order_of_its_own() -> None:
    bench = Bench()
    made = [bench.token(f"t{i}.mp4")["id"] for i in range(6)]  # the same createdAt second
    bench.advance(5)
    later = bench.token("later.mp4")["id"]
    gone = made.pop()
    bench.call("uploadtoken", "delete", uploadTokenId=gone)

    def listed(**filter_fields: object) -> list[str]:
        found = bench.call("uploadtoken", "list", filter=filter_fields)
        return [t["id"] for t in found["objects"]]

    assert listed(statusEqual=5) == [] and gone not in listed(statusIn="0,5")
    assert listed() == sorted([*made, later])  # the table's order: by id, not by creation
    assert listed(orderBy="-createdAt") == [later, *sorted(made)]
    assert listed(orderBy="+createdAt") == [*sorted(made), later]
