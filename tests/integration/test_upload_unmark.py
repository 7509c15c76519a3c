"""A batch's decided markers ride later requests, and a file is reported only once its marker
is gone (``kaltura_mm/upload/unmark.py``, recover rule 8): a marker still on the server says
its run has not reported the file, which another run racing on the file relies on."""

from __future__ import annotations

from pathlib import Path

from kaltura_mm.protocol.calls import MultiRequest
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload import local_file
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.request import UploadOptions, token_names
from kaltura_mm.upload.result import UploadOutcome
from kaltura_mm.upload.unmark import CARRY_WAIT, Unmarks
from tests.cli.ground import open_tokens
from tests.integration.upload_support import KIB, Run, media

SMALL = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=4)


def test_each_file_is_reported_only_once_its_marker_is_gone(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    paths = [media(tmp_path, f"m{i}.mp4", 20 * KIB + i) for i in range(9)]
    left_when_reported: list[list[str]] = []

    def reported(outcome: UploadOutcome) -> None:
        assert outcome.result is not None, outcome.error
        names = token_names(
            outcome.request,
            local_file.content_fingerprint(outcome.request.path),
            outcome.result.reference_id,
        )
        still = [t["file_name"] for t in open_tokens(kaltura_sandbox)]
        left_when_reported.append([n for n in still if n == names.marker])

    kaltura_sandbox.stats.reset()
    outcomes = run(upload_many(paths, SMALL, max_files_in_flight=3, on_outcome=reported))
    assert all(o.ok for o in outcomes)
    assert left_when_reported == [[]] * 9  # no file reported while its marker was there
    assert open_tokens(kaltura_sandbox) == []
    # the lookup, a create a file; the markers ride the creates, but the last three's (in
    # flight when the last file starts: no create is coming for them)
    assert kaltura_sandbox.stats.http_requests <= 1 + 9 + 3


def test_a_carrying_request_that_fails_holds_the_outcome_and_queues_the_deletion_again() -> None:
    unmarks = Unmarks(carry=True)
    heard: list[str] = []
    unmarks.queue("ref-a", "m-a", 10.0)
    unmarks.hold("ref-a", lambda: heard.append("a"))
    unmarks.hold("ref-b", lambda: heard.append("b"))  # nothing queued for it: at once
    assert heard == ["b"]
    assert not unmarks.due(11.0) and unmarks.due(10.0 + CARRY_WAIT)
    carried = unmarks.ride(MultiRequest())
    assert [marker for _, marker, _ in carried] == ["m-a"]
    unmarks.hold("ref-a", lambda: heard.append("a"))  # carried, not answered: still held
    unmarks.answered(carried, None)  # the request never came back: the marker may be there
    assert heard == ["b"] and unmarks.due(0.0)  # due at once: the next turn sends it
    assert [marker for _, marker, _ in unmarks.ride(MultiRequest())] == ["m-a"]
