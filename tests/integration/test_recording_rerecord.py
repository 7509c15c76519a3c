"""Re-recording a cassette replaces it: the documented re-record switch must not pile up calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kaltura_mm.client import Client
from kaltura_mm.recording import cassette
from kaltura_mm.services import base_entry


def _bodies(tape: Path) -> list[str]:
    recorded = yaml.safe_load(tape.read_text(encoding="utf-8"))
    return [item["request"]["body"] for item in recorded["interactions"]]


def test_recording_again_replaces_the_old_recording(kaltura_sandbox: Any, tmp_path: Path) -> None:
    tape = tmp_path / "lookup.yaml"
    settings = {
        "service_url": kaltura_sandbox.service_url,
        "partner_id": kaltura_sandbox.partner_id,
        "admin_secret": kaltura_sandbox.admin_secret,
    }
    for entry_id in ("0_first", "0_second"):  # a flow whose ids changed since the last recording
        with Client(**settings) as client, cassette(tape, partner_id=0, record=True):
            client.call(base_entry.get_by_ids([entry_id]))
    (body,) = _bodies(tape)
    assert "0_second" in body
    with Client(**settings) as client, cassette(tape, partner_id=0, record=False):
        assert client.call(base_entry.get_by_ids(["0_second"])) == []
