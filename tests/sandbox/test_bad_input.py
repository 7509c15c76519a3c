"""Bad input gets the real server's errors, never a 500 or a traceback."""

from __future__ import annotations

import httpx

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error


def _post(api: Api, path: str, **kwargs: object) -> httpx.Response:
    response = api.http.post(path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert "Traceback" not in response.text
    return response


def test_malformed_json_body(api: Api) -> None:
    response = _post(
        api,
        "/service/baseentry/action/get?format=1",
        content=b'{"ks": "x", ',
        headers={"Content-Type": "application/json"},
    )
    assert is_error(response.json(), "MISSING_MANDATORY_PARAMETER")


def test_no_service_or_action(api: Api) -> None:
    assert is_error(_post(api, "/index.php?format=1").json(), "SERVICE_NOT_SPECIFIED")
    assert is_error(_post(api, "/index.php?format=1&service=media").json(), "ACTION_NOT_SPECIFIED")


def test_wrong_types_and_enums(api: Api) -> None:
    assert is_error(api.call("session", "start", secret="x", type=7), "INVALID_ENUM_VALUE")
    bad_type = api.call("baseEntry", "add", entry={"objectType": "KalturaMediaEntry"}, type="x")
    assert bad_type["args"] == {
        "ENUM_VAL": "x",
        "PARAM_NAME": "type",
        "ENUM_TYPE": "KalturaEntryType",
    }
    control = api.call(
        "baseEntry", "add", entry={"objectType": "KalturaMediaEntry", "name": "bad\x01name"}
    )
    assert is_error(control, "INVALID_PARAMETER_CHAR")
    assert is_error(
        api.call("baseEntry", "add", entry="not an object"), "MISSING_MANDATORY_PARAMETER"
    )


def test_file_param_that_is_not_a_file(api: Api) -> None:
    token = api.call("uploadToken", "add")
    result = api.call("uploadToken", "upload", uploadTokenId=token["id"], fileData="text")
    assert is_error(result, "UPLOAD_ERROR")
    missing = api.call("uploadToken", "upload", uploadTokenId=token["id"])
    assert is_error(missing, "MISSING_MANDATORY_PARAMETER")


def test_huge_and_negative_resume_at(sb: Sandbox, api: Api) -> None:
    token = api.call("uploadToken", "add")["id"]
    api.upload(token, b"abc", final=False, resume_at=0)
    parked = api.upload(token, b"zzz", resume=True, final=False, resume_at=10**15)
    assert parked["uploadedFileSize"] == "3"  # parked as a pending chunk, no giant file
    absurd = api.upload(token, b"zzz", resume=True, final=True, resume_at=10**15)
    assert is_error(absurd, "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
    text = api.http.post(
        "/service/uploadtoken/action/upload",
        data={
            "ks": api.ks,
            "format": "1",
            "uploadTokenId": token,
            "resume": "1",
            "finalChunk": "0",
            "resumeAt": "1e400",
        },
        files={"fileData": ("a.mp4", b"q")},
    ).json()
    assert text["objectType"] == "KalturaUploadToken"
    negative = api.upload(token, b"def", resume=True, final=True, resume_at=-5)
    assert negative["status"] == 2 and negative["uploadedFileSize"] == "6"  # appended


def test_empty_filename_fails_the_upload_and_the_token(api: Api) -> None:
    token = api.call("uploadToken", "add")["id"]
    body = (
        f'--B\r\nContent-Disposition: form-data; name="ks"\r\n\r\n{api.ks}\r\n'
        f'--B\r\nContent-Disposition: form-data; name="uploadTokenId"\r\n\r\n{token}\r\n'
        '--B\r\nContent-Disposition: form-data; name="fileData"; filename=""\r\n\r\n'
        "data\r\n--B--\r\n"
    ).encode()
    response = _post(
        api,
        "/service/uploadtoken/action/upload?format=1",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )
    assert is_error(response.json(), "UPLOAD_ERROR")
    # resume=false and finalChunk=true: the server marks the token failed (DELETED)
    assert is_error(api.call("uploadToken", "get", uploadTokenId=token), "UPLOAD_TOKEN_NOT_FOUND")


def test_a_file_part_without_filename_is_not_a_file(api: Api) -> None:
    token = api.call("uploadToken", "add")["id"]
    response = _post(
        api,
        "/service/uploadtoken/action/upload",
        data={"ks": api.ks, "format": "1", "uploadTokenId": token, "fileData": "plain text"},
    )
    assert is_error(response.json(), "UPLOAD_ERROR")
    assert api.call("uploadToken", "get", uploadTokenId=token)["status"] == 0


def test_wrong_content_type_and_garbage_multipart(api: Api) -> None:
    plain = _post(
        api,
        "/service/baseentry/action/count",
        content=b"ks=x&format=1",
        headers={"Content-Type": "text/plain"},
    )
    assert b"<code>MISSING_KS</code>" in plain.content
    broken = _post(
        api,
        f"/service/baseentry/action/count?format=1&ks={api.ks}",
        content=b"--nope\r\ngarbage",
        headers={"Content-Type": "multipart/form-data; boundary=XYZ"},
    )
    assert broken.json() == 0


def test_odd_pager_and_filter_values(api: Api) -> None:
    api.new_entry()
    negative = api.call("baseEntry", "list", pager={"pageSize": -5, "pageIndex": -3})
    assert negative["objects"] == [] and negative["totalCount"] == 0
    junk = api.call(
        "baseEntry",
        "list",
        filter={"objectType": "KalturaNoSuchFilter", "orderBy": "+nothing", "idIn": ",,,"},
    )
    assert junk["objectType"] == "KalturaBaseEntryListResponse"


def test_unknown_content_routes_are_404(sb: Sandbox) -> None:
    assert httpx.get(sb.service_url + "/nothing").status_code == 404
    missing = httpx.get(sb.service_url + "/p/1/sp/100/playManifest/entryId/0_x/format/download")
    assert missing.status_code == 404
