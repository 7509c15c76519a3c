"""An upload's working state is frozen and moved; saving tells the hook; progress reads a clock."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from kaltura_mm.models import MediaType
from kaltura_mm.upload.job import Hooks, Job, Meter, reporter
from kaltura_mm.upload.media_types import kind_of
from kaltura_mm.upload.request import (
    FileFingerprint,
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
)
from kaltura_mm.upload.result import UploadProgress

PRINT = FileFingerprint(size=1_000, mtime_ns=1, sample_sha256="cd" * 32, content_sha256="ef" * 32)
REQUEST = UploadRequest(path=Path("/data/talk.mp4"), entry_type=MediaType.VIDEO)
STATE = UploadState(
    request=REQUEST,
    fingerprint=PRINT,
    reference_id=reference_id_for(REQUEST, PRINT),
    chunk_size=100_000,
)


def _job(**hooks: object) -> Job:
    kind = kind_of("talk.mp4", support_documents=False, override=None)
    meter = Meter(total=1_000, interval=1.0, started=10.0, path=REQUEST.path)
    return Job(REQUEST, UploadOptions(), kind, STATE, Hooks(**hooks), meter)  # type: ignore[arg-type]


def test_a_job_cannot_be_changed_in_place() -> None:
    job = _job()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        job.state = STATE  # type: ignore[misc]


def test_saving_returns_the_moved_job_and_tells_the_hook_first() -> None:
    saved: list[UploadState] = []
    job = _job(on_state=saved.append)
    moved = job.saved(attrs.evolve(STATE, entry_id="0_a"))
    assert moved.state.entry_id == "0_a" and job.state.entry_id is None
    assert saved == [moved.state]


def test_counts_move_with_the_job() -> None:
    job = _job().sent(300).sent(200).retried()
    assert (job.tally.bytes_sent, job.tally.chunks, job.tally.retries) == (500, 2, 1)


def test_progress_is_throttled_on_the_clock_it_is_given() -> None:
    heard: list[UploadProgress] = []
    job = _job(on_progress=reporter(heard.append))
    job = job.reported(100, now=11.0)  # the first report goes out
    job = job.reported(200, now=11.5)  # within the interval: held back
    job = job.reported(300, now=11.6, force=True)  # forced: out
    job = job.reported(400, now=12.7)  # the interval passed
    assert [p.bytes_done for p in heard] == [100, 300, 400]
    assert heard[-1].rate == pytest.approx(400 / 2.7)  # bytes since the start, by that clock
    assert heard[-1].eta == pytest.approx(600 / (400 / 2.7))


def test_bytes_an_earlier_run_sent_do_not_count_in_the_rate() -> None:
    meter = Meter(total=1_000, interval=0.5, started=0.0, base=500)
    _, report = meter.report(700, now=2.0)
    assert report is not None and report.rate == pytest.approx(100.0)
