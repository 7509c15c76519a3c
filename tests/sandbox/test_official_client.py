"""The official KalturaApiClient (XML only) drives the sandbox, from its own throwaway venv."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import httpx
import pytest

from benchmarks.official import official_python
from kaltura_mm.sandbox import Sandbox

SCRIPT = Path(__file__).with_name("official_script.py")
APP_TOKEN_SCRIPT = Path(__file__).with_name("official_app_token_script.py")


@pytest.mark.slow
def test_official_client_widget_flow(tmp_path: Path) -> None:
    python = official_python()
    # the script lists its upload at once: this wire-compatibility test asks for the kind index
    kind = Sandbox(transcode_delay=0.05, final_chunk_wait=5, index_lag=0, index_max_in_values=None)
    with kind as sb:
        category = sb.create_category("Official>Client")
        done = subprocess.run(
            [
                str(python),
                str(SCRIPT),
                sb.service_url,
                str(sb.partner_id),
                sb.admin_secret,
                str(category),
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        data = b"".join((tmp_path / f"lecture.mp4.{i}").read_bytes() for i in (0, 1))
        downloaded = httpx.get(seen["download_url"])  # deleted by now: must be gone
    assert seen["ks_prefix"] == "djJ8"
    assert seen["multi_types"] == [
        "KalturaMediaEntry",
        "KalturaUploadToken",
        "KalturaBaseEntry",  # baseEntry.updateContent answers the base type
        "KalturaCategoryEntry",
    ]
    assert seen["status_after_attach"] == "0"  # IMPORT (a string enum in that client)
    assert seen["link_entry_matches"] is True
    assert seen["after_first_chunk"] == [1, 400_000]
    assert seen["after_final_chunk"] == [3, 700_000]  # closed in the same request (attached)
    assert seen["listed_ids"] == [seen["entry_id"]] and seen["listed_total"] == 1
    assert seen["listed_name"] == "Widget upload ☃"
    assert seen["entry_status_is_known"] is True
    assert seen["detach_again"] == "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY"
    assert seen["get_deleted"] == "ENTRY_ID_NOT_FOUND"
    assert seen["bad_ks"] == "INVALID_KS"
    assert seen["download_sha256"] == hashlib.sha256(data).hexdigest()
    assert downloaded.status_code == 404
    assert seen["replacement"] == ["KalturaBaseEntry", "1", True]
    assert seen["widget"] == ["KalturaStartWidgetSessionResponse", "0", "djJ8"]
    assert seen["renamed"] == ["Official>Renamed", "", 0]  # a null string reads as ""


@pytest.mark.slow
def test_official_client_app_token_flow() -> None:
    """The developer docs' flow: widget KS, sha256(widgetKs + token), startSession, a list."""
    python = official_python()
    with Sandbox(transcode_delay=0.05, final_chunk_wait=5) as sb:
        sb.seed_entries(sb.create_category("Docs"), 3)
        partner_id = sb.partner_id
        done = subprocess.run(
            [
                str(python),
                str(APP_TOKEN_SCRIPT),
                sb.service_url,
                str(sb.partner_id),
                sb.admin_secret,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["token_hash_type"] == "SHA256" and seen["token_length"] == 32
    assert seen["session_info"] == "KalturaSessionInfo"
    assert seen["session_type"] == 2  # the token's ADMIN type wins over the default USER
    assert seen["session_user"] == "app-user" and seen["session_partner"] == partner_id
    token_id = seen["token_id"]
    assert seen["privileges"] == f"sessionid:{token_id},apptoken:{token_id},disableentitlement"
    assert seen["listed_type"] == "KalturaBaseEntryListResponse" and seen["listed_total"] == 3
    assert seen["bad_hash"] == "INVALID_APP_TOKEN_HASH"
    assert seen["after_delete"] == "INVALID_KS"
