"""Chunks written in place into the token file as they arrive (``claims``): the bytes and sizes a
client sees must be exactly those of the temp-file path, whatever happens mid-request."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import httpx

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

MIB = 2**20
BOUNDARY = "in-place-test-boundary-0123456789"


def _token(api: Api) -> str:
    return str(
        api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})["id"]
    )


def _fields(token: str, ks: str, resume_at: int, final: bool) -> dict[str, str]:
    return {
        "format": "1",
        "ks": ks,
        "uploadTokenId": token,
        "resume": "true",
        "finalChunk": str(final).lower(),
        "resumeAt": str(resume_at),
    }


def _field(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def _body(before: dict[str, str], data: bytes, after: dict[str, str]) -> tuple[bytes, bytes]:
    """Return a multipart body split around the file bytes: (head + data, tail)."""
    head = b"".join(_field(k, v) for k, v in before.items())
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="fileData"; '
        f'filename="clip.mp4"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = (
        b"\r\n" + b"".join(_field(k, v) for k, v in after.items()) + f"--{BOUNDARY}--\r\n".encode()
    )
    return head + data, tail


def _post(
    api: Api, before: dict[str, str], data: bytes, after: dict[str, str] | None = None
) -> object:
    first, tail = _body(before, data, after or {})
    response = api.http.post(
        "/index.php",
        content=first + tail,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _service_fields(token: str, ks: str, resume_at: int, final: bool) -> dict[str, str]:
    return {"service": "uploadToken", "action": "upload", **_fields(token, ks, resume_at, final)}


def _slow_upload(
    sb: Sandbox, before: dict[str, str], data: bytes, release: threading.Event, out: list[object]
) -> threading.Thread:
    """Send all but the last 100 KB of the chunk, wait for ``release``, then the rest.

    The chunk must be over 1 MiB: the server parses the body in 1 MiB blocks, so the part's
    headers (and the claim they bring) are only seen once the first block is in.
    """
    first, tail = _body(before, data, {})
    assert len(data) > MIB + 100_000
    half = len(first) - 100_000

    def parts() -> Iterator[bytes]:
        yield first[:half]
        release.wait(10)
        yield first[half:]
        yield tail

    def run() -> None:
        with httpx.Client(base_url=sb.service_url + "/api_v3", timeout=30) as http:
            response = http.post(
                "/index.php",
                content=parts(),
                headers={
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Content-Length": str(len(first) + len(tail)),
                },
            )
            out.append(response.json())

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)  # the headers and half the bytes are in: the claim is live
    return thread


def _finish_into_entry(api: Api, sb: Sandbox, token: str) -> bytes:
    entry = api.new_entry()
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    api.call("baseEntry", "addContent", entryId=entry["id"], resource=resource)
    return sb.entry_bytes(entry["id"]).read_bytes()


def test_in_order_multi_mib_chunks_arrive_byte_exact_with_no_leftovers(
    sb: Sandbox, api: Api
) -> None:
    data = os.urandom(3 * MIB + 12345)
    size = MIB + 777  # not a multiple of the server's 1 MiB read block
    token = _token(api)
    api.upload(token, data[:size], final=False, resume_at=0)
    for offset in range(size, len(data), size):
        final = offset + size >= len(data)
        last = api.upload(
            token, data[offset : offset + size], resume=True, final=final, resume_at=offset
        )
        assert last["uploadedFileSize"] == str(min(offset + size, len(data)))
    assert last["status"] == 2
    assert _finish_into_entry(api, sb, token) == data
    assert list(sb.core.incoming_dir.iterdir()) == []


def test_whole_files_around_the_read_block_edge_keep_every_byte(api: Api) -> None:
    # The closing boundary lands on every side of the server's 1 MiB read-buffer edge.
    for size in range(MIB - 400, MIB + 40, 37):
        data = os.urandom(size)
        token = _token(api)
        done = api.upload(token, data)
        assert done["uploadedFileSize"] == str(size)


def test_a_chunk_arriving_while_another_is_written_in_place_waits_as_pending(
    sb: Sandbox, api: Api
) -> None:
    size = 1_500_000
    data = os.urandom(4 * size)
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    token = _token(api)
    assert api.ks is not None
    api.upload(token, parts[0], final=False, resume_at=0)
    release, out = threading.Event(), []
    slow = _slow_upload(sb, _service_fields(token, api.ks, size, False), parts[1], release, out)
    later = api.upload(token, parts[2], resume=True, final=False, resume_at=2 * size)
    assert later["uploadedFileSize"] == str(size)  # the in-flight bytes are not data yet
    release.set()
    slow.join(10)
    # The chunk that waited as pending now starts at the end, but a request appends pending
    # chunks only when it starts (kUploadTokenMgr), so it waits for the next one.
    assert out and out[0]["uploadedFileSize"] == str(2 * size)  # type: ignore[index]
    final = api.upload(token, parts[3], resume=True, final=True, resume_at=3 * size)
    assert final["status"] == 2 and final["uploadedFileSize"] == str(len(data))
    assert _finish_into_entry(api, sb, token) == data


def test_a_retry_overlapping_an_in_flight_chunk_and_the_final_chunk_both_succeed(
    sb: Sandbox, api: Api
) -> None:
    m = 1_500_000
    data = os.urandom(3 * m)
    token = _token(api)
    assert api.ks is not None
    api.upload(token, data[:m], final=False, resume_at=0)
    release, out = threading.Event(), []
    slow = _slow_upload(sb, _service_fields(token, api.ks, m, False), data[m : 2 * m], release, out)
    # A retry that starts inside the data and runs over the in-flight bytes: it must not
    # extend the data under the claim, so it waits as a pending chunk.
    overlap = api.upload(token, data[m // 2 : 2 * m], resume=True, final=False, resume_at=m // 2)
    assert overlap["uploadedFileSize"] == str(m)
    results: list[object] = []
    worker = Api(sb, api.ks)
    final = threading.Thread(
        target=lambda: results.append(
            worker.upload(token, data[2 * m :], resume=True, final=True, resume_at=2 * m)
        )
    )
    final.start()  # waits for the in-place write to end
    time.sleep(0.2)
    release.set()
    slow.join(10)
    final.join(10)
    worker.close()
    assert results and results[0]["status"] == 2  # type: ignore[index]
    assert results[0]["uploadedFileSize"] == str(len(data))  # type: ignore[index]
    assert out[0]["objectType"] == "KalturaUploadToken"  # type: ignore[index]
    assert _finish_into_entry(api, sb, token) == data


def test_an_in_place_write_cut_off_mid_body_counts_no_bytes(sb: Sandbox, api: Api) -> None:
    data = os.urandom(400_000)
    token = _token(api)
    assert api.ks is not None
    api.upload(token, data[:100_000], final=False, resume_at=0)
    first, tail = _body(_service_fields(token, api.ks, 100_000, False), data[100_000:300_000], {})
    head = (
        f"POST /api_v3/index.php HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(first) + len(tail)}\r\n\r\n"
    ).encode()
    port = int(sb.service_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head + first[: len(first) - 50_000])  # then the client vanishes
    time.sleep(0.3)
    now = api.call("uploadToken", "get", uploadTokenId=token)
    assert now["uploadedFileSize"] == "100000"
    api.upload(token, data[100_000:300_000], resume=True, final=False, resume_at=100_000)
    done = api.upload(token, data[300_000:], resume=True, final=True, resume_at=300_000)
    assert done["status"] == 2 and done["uploadedFileSize"] == str(len(data))
    assert _finish_into_entry(api, sb, token) == data  # no stray bytes past the end


def test_a_field_after_the_file_that_moves_the_chunk_is_obeyed(sb: Sandbox, api: Api) -> None:
    data = os.urandom(300)
    token = _token(api)
    assert api.ks is not None
    api.upload(token, data[:100], final=False, resume_at=0)
    # resumeAt=100 before the file (in place at the end), then a later resumeAt=200 wins.
    moved = _post(api, _service_fields(token, api.ks, 100, False), data[200:], {"resumeAt": "200"})
    assert moved["uploadedFileSize"] == "100"  # type: ignore[index]
    filled = api.upload(token, data[100:200], resume=True, final=False, resume_at=100)
    assert filled["uploadedFileSize"] == "200"  # the part kept at 200 joins in a later request
    done = api.upload(token, b"", resume=True, final=True, resume_at=300)
    assert done["status"] == 2 and done["uploadedFileSize"] == "300"
    assert _finish_into_entry(api, sb, token) == data


def test_a_part_redirected_to_media_upload_by_a_later_field_keeps_its_bytes(
    sb: Sandbox, api: Api
) -> None:
    token = _token(api)
    assert api.ks is not None
    api.upload(token, b"a" * 100, final=False, resume_at=0)
    fields = _service_fields(token, api.ks, 100, False)
    other = _post(api, fields, b"b" * 50, {"service": "media"})
    assert isinstance(other, str) and other != token  # media.upload made a new FULL token
    assert api.call("uploadToken", "get", uploadTokenId=other)["uploadedFileSize"] == "50"
    assert api.call("uploadToken", "get", uploadTokenId=token)["uploadedFileSize"] == "100"
    done = api.upload(token, b"c" * 10, resume=True, final=True, resume_at=100)
    assert done["uploadedFileSize"] == "110"
    assert _finish_into_entry(api, sb, token) == b"a" * 100 + b"c" * 10


def test_a_restart_while_a_chunk_is_written_in_place_keeps_the_new_file(
    sb: Sandbox, api: Api
) -> None:
    m = 1_500_000
    token = _token(api)
    assert api.ks is not None
    api.upload(token, b"o" * m, final=False, resume_at=0)
    release, out = threading.Event(), []
    slow = _slow_upload(sb, _service_fields(token, api.ks, m, False), b"x" * m, release, out)
    restarted = api.upload(token, b"n" * 500, final=False)  # resume=false replaces the data
    assert restarted["uploadedFileSize"] == "500"
    release.set()
    slow.join(10)
    # The in-flight chunk is placed against the new file by the ordinary rules: beyond its end,
    # so it waits as a pending chunk and the contiguous size stays 500.
    assert out[0]["uploadedFileSize"] == "500"  # type: ignore[index]
    done = api.upload(token, b"m" * (m - 500), resume=True, final=False, resume_at=500)
    assert done["uploadedFileSize"] == str(m)  # the pending chunk joins in a later request
    last = api.upload(token, b"", resume=True, final=True, resume_at=2 * m)
    assert last["status"] == 2 and last["uploadedFileSize"] == str(2 * m)
    assert _finish_into_entry(api, sb, token) == b"n" * 500 + b"m" * (m - 500) + b"x" * m


def test_a_duplicate_after_finalisation_is_refused_and_changes_nothing(
    sb: Sandbox, api: Api
) -> None:
    data = os.urandom(2000)
    token = _token(api)
    api.upload(token, data[:1000], final=False, resume_at=0)
    done = api.upload(token, data[1000:], resume=True, final=True, resume_at=1000)
    assert done["status"] == 2
    late = api.upload(token, data[1000:], resume=True, final=False, resume_at=2000)
    assert is_error(late, "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    dup = api.upload(token, data[1000:], resume=True, final=False, resume_at=1000)
    assert is_error(dup, "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    assert api.call("uploadToken", "get", uploadTokenId=token)["uploadedFileSize"] == "2000"
    assert _finish_into_entry(api, sb, token) == data


def test_an_unauthorised_chunk_writes_nothing_into_another_users_token(
    sb: Sandbox, api: Api
) -> None:
    token = _token(api)
    api.upload(token, b"a" * 100, final=False, resume_at=0)
    stranger = sb.ks(user_id="someone-else", admin=False)
    refused = _post(api, _service_fields(token, stranger, 100, False), b"z" * 100)
    assert is_error(refused, "UPLOAD_TOKEN_NOT_FOUND")
    done = api.upload(token, b"b" * 100, resume=True, final=True, resume_at=100)
    assert done["uploadedFileSize"] == "200"
    assert _finish_into_entry(api, sb, token) == b"a" * 100 + b"b" * 100
