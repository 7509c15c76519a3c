"""uploadToken over HTTP: statuses, resume rules, parallel / out-of-order / duplicate chunks,
the final-chunk wait, the 7-day limit and pending attachments."""

from __future__ import annotations

import os
import threading
import time

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error, wait_for_status

CHUNK = 256 * 1024


def _token(api: Api, **fields: object) -> str:
    token = api.call(
        "uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken", **fields}
    )
    return str(token["id"])


def test_add_get_list_delete(api: Api) -> None:
    token = api.call(
        "uploadToken",
        "add",
        uploadToken={"objectType": "KalturaUploadToken", "fileName": "a.mp4", "fileSize": 10},
    )
    assert token["status"] == 0 and token["autoFinalize"] is False
    assert "uploadedFileSize" not in token and len(token["id"]) == 34
    listed = api.call(
        "uploadToken",
        "list",
        filter={"objectType": "KalturaUploadTokenFilter", "fileNameEqual": "a.mp4"},
    )
    assert [t["id"] for t in listed["objects"]] == [token["id"]]
    assert api.call("uploadToken", "delete", uploadTokenId=token["id"]) is None
    for action in ("get", "delete"):
        gone = api.call("uploadToken", action, uploadTokenId=token["id"])
        assert is_error(gone, "UPLOAD_TOKEN_NOT_FOUND")


def test_auto_finalize_needs_a_file_size(api: Api) -> None:
    result = api.call(
        "uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken", "autoFinalize": 1}
    )
    assert is_error(result, "UPLOAD_TOKEN_MISSING_FILE_SIZE")


def test_whole_file_then_no_second_upload(api: Api) -> None:
    token = _token(api)
    done = api.upload(token, b"abc")
    assert (
        done["status"] == 2 and done["uploadedFileSize"] == "3" and done["fileName"] == "clip.mp4"
    )
    again = api.upload(token, b"abc")
    assert is_error(again, "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")


def test_first_part_must_not_resume(api: Api) -> None:
    token = _token(api)
    result = api.upload(token, b"abc", resume=True, final=False, resume_at=0)
    assert is_error(result, "UPLOAD_TOKEN_CANNOT_RESUME")


def test_sequential_resume_appends(api: Api) -> None:
    token = _token(api)
    api.upload(token, b"one-", final=False)
    api.upload(token, b"two-", resume=True, final=False)
    last = api.upload(token, b"three", resume=True, final=True)
    assert last["status"] == 2 and last["uploadedFileSize"] == str(len("one-two-three"))


def test_out_of_order_and_duplicate_chunks_keep_size_contiguous(sb: Sandbox, api: Api) -> None:
    data = os.urandom(4 * CHUNK + 1000)
    parts = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    token = _token(api)
    first = api.upload(token, parts[0], final=False, resume_at=0)
    assert first["status"] == 1 and first["uploadedFileSize"] == str(CHUNK)
    gap = api.upload(token, parts[2], resume=True, final=False, resume_at=2 * CHUNK)
    assert gap["uploadedFileSize"] == str(CHUNK)  # the chunk beyond the gap is not counted
    dup = api.upload(token, parts[0], resume=True, final=False, resume_at=0)
    assert dup["status"] == 1
    filled = api.upload(token, parts[1], resume=True, final=False, resume_at=CHUNK)
    assert int(filled["uploadedFileSize"]) >= 2 * CHUNK
    api.upload(token, parts[3], resume=True, final=False, resume_at=3 * CHUNK)
    api.upload(token, parts[3], resume=True, final=False, resume_at=3 * CHUNK)  # a retry
    final = api.upload(token, parts[4], resume=True, final=True, resume_at=4 * CHUNK)
    assert final["status"] == 2 and final["uploadedFileSize"] == str(len(data))
    entry = api.new_entry()
    api.call(
        "baseEntry",
        "addContent",
        entryId=entry["id"],
        resource={"objectType": "KalturaUploadedFileTokenResource", "token": token},
    )
    assert sb.entry_bytes(entry["id"]).read_bytes() == data


def test_parallel_chunks_with_a_final_chunk_that_waits(sb: Sandbox) -> None:
    data = os.urandom(8 * CHUNK)
    api = Api(sb, sb.ks())
    token = _token(api)
    api.upload(token, data[:CHUNK], final=False, resume_at=0)
    results: list[object] = []

    def send(index: int, final: bool) -> None:
        worker = Api(sb, api.ks)
        part = data[index * CHUNK : (index + 1) * CHUNK]
        results.append(
            worker.upload(token, part, resume=True, final=final, resume_at=index * CHUNK)
        )
        worker.close()

    # The final chunk goes first: the server waits for the gaps to fill.
    threads = [threading.Thread(target=send, args=(7, True))]
    threads += [threading.Thread(target=send, args=(i, False)) for i in range(6, 0, -1)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=20)
    token_now = api.call("uploadToken", "get", uploadTokenId=token)
    assert token_now["status"] == 2 and token_now["uploadedFileSize"] == str(len(data))
    assert all(not is_error(r, "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE") for r in results)


def test_final_chunk_with_a_gap_fails_then_retry_succeeds(api: Api) -> None:
    token = _token(api)
    api.upload(token, b"a" * 10, final=False, resume_at=0)
    started = time.monotonic()
    failed = api.upload(token, b"c" * 10, resume=True, final=True, resume_at=20)
    assert is_error(failed, "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
    assert 0.9 <= time.monotonic() - started < 5  # the sandbox's final_chunk_wait is 1 s
    assert api.call("uploadToken", "get", uploadTokenId=token)["status"] == 1
    api.upload(token, b"b" * 10, resume=True, final=False, resume_at=10)
    retried = api.upload(token, b"c" * 10, resume=True, final=True, resume_at=20)
    assert retried["status"] == 2 and retried["uploadedFileSize"] == "30"


def test_zero_byte_non_final_part_is_discarded(api: Api) -> None:
    token = _token(api)
    api.upload(token, b"abc", final=False, resume_at=0)
    same = api.upload(token, b"", resume=True, final=False, resume_at=3)
    assert same["uploadedFileSize"] == "3" and same["status"] == 1


def test_zero_byte_final_chunk_finishes(api: Api) -> None:
    token = _token(api)
    api.upload(token, b"abc", final=False, resume_at=0)
    done = api.upload(token, b"", resume=True, final=True, resume_at=3)
    assert done["status"] == 2 and done["uploadedFileSize"] == "3"


def test_seven_day_resume_limit(sb: Sandbox, api: Api) -> None:
    token = _token(api)
    api.upload(token, b"abc", final=False, resume_at=0)
    sb.clock.advance(604_801)
    api.ks = sb.ks()  # the old KS expired with the clock
    late = api.upload(token, b"def", resume=True, final=True, resume_at=3)
    assert is_error(late, "UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED")
    assert late["args"] == {"MAX_RESUME_TIME": "604800"}


def test_attach_incomplete_token_imports_then_completes(api: Api) -> None:
    entry = api.new_entry()
    token = _token(api)
    api.upload(token, b"part1", final=False, resume_at=0)
    attached = api.call(
        "baseEntry",
        "updateContent",
        entryId=entry["id"],
        resource={"objectType": "KalturaUploadedFileTokenResource", "token": token},
    )
    assert attached["status"] == 0  # IMPORT: waiting for the rest
    info = api.call("uploadToken", "get", uploadTokenId=token)
    assert info["attachedObjectType"] == "flavorAsset" and info["attachedObjectId"]
    finished = api.upload(token, b"part2", resume=True, final=True, resume_at=5)
    assert finished["status"] == 3  # closed in the same request, as the real server does
    assert wait_for_status(api, entry["id"], 2)["status"] == 2


def test_deleting_an_attached_token_returns_the_entry_to_no_content(api: Api) -> None:
    entry = api.new_entry()
    token = _token(api)
    api.call(
        "baseEntry",
        "addContent",
        entryId=entry["id"],
        resource={"objectType": "KalturaUploadedFileTokenResource", "token": token},
    )
    assert api.call("baseEntry", "get", entryId=entry["id"])["status"] == 0
    api.call("uploadToken", "delete", uploadTokenId=token)
    assert api.call("baseEntry", "get", entryId=entry["id"])["status"] == 7


def test_add_from_uploaded_file_and_media_upload(api: Api) -> None:
    pending = _token(api)
    refused = api.call(
        "baseEntry",
        "addFromUploadedFile",
        uploadTokenId=pending,
        entry={"objectType": "KalturaMediaEntry", "name": "x"},
    )
    assert is_error(refused, "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY")
    response = api.http.post(
        "/service/media/action/upload",
        data={"ks": api.ks, "format": "1"},
        files={"fileData": ("song.mp3", b"ID3....")},
    )
    token = response.json()
    assert isinstance(token, str)
    entry = api.call(
        "media",
        "addFromUploadedFile",
        uploadTokenId=token,
        mediaEntry={"objectType": "KalturaMediaEntry", "name": "song"},
    )
    assert entry["status"] in (1, 2) and entry["mediaType"] == 5
    assert api.call("uploadToken", "get", uploadTokenId=token)["status"] == 3


def test_content_errors(sb: Sandbox, api: Api) -> None:
    entry_id = api.ready_entry(b"abc")
    sb.set_entry_replacement(False)  # replacement itself: test_replacement.py
    token = _token(api)
    again = api.call(
        "baseEntry",
        "addContent",
        entryId=entry_id,
        resource={"objectType": "KalturaUploadedFileTokenResource", "token": token},
    )
    assert is_error(again, "ENTRY_ALREADY_WITH_CONTENT")
    replace = api.call(
        "baseEntry",
        "updateContent",
        entryId=entry_id,
        resource={"objectType": "KalturaUploadedFileTokenResource", "token": token},
    )
    assert is_error(replace, "FEATURE_FORBIDDEN")
    abstract = api.call(
        "baseEntry",
        "addContent",
        entryId=api.new_entry()["id"],
        resource={"objectType": "KalturaResource"},
    )
    assert is_error(abstract, "OBJECT_TYPE_ABSTRACT")
    url = api.call(
        "baseEntry",
        "addContent",
        entryId=api.new_entry()["id"],
        resource={"objectType": "KalturaUrlResource", "url": "http://x"},
    )
    assert is_error(url, "RESOURCE_TYPE_NOT_SUPPORTED")
    unknown = api.call(
        "baseEntry",
        "addContent",
        entryId=api.new_entry()["id"],
        resource={"objectType": "KalturaUploadedFileTokenResource", "token": "0_nope"},
    )
    assert is_error(unknown, "UPLOAD_TOKEN_NOT_FOUND")
