"""An upload run learns what the session's role holds before it makes anything (issue 16).

``permission.getCurrentPermissions`` rides the run's category check (one multiRequest, no
request of its own), or, when no check is sent (no category, or the CLI read them already), the
first lookup of the run's upload tokens: a role that lacks what the upload flow needs is refused
before any ``baseEntry.add`` (``PermissionMissingError`` naming the permission), so nothing is
left that the role might not delete. A role that holds it all uploads with the same requests.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from kaltura_mm.errors import PermissionMissingError, ReferenceIdNotWritableError
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from tests.integration.test_upload_user_session import _everything_of
from tests.integration.upload_support import KIB, Run, media

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=2)
UPLOADER = [
    "CONTENT_INGEST_UPLOAD",
    "CONTENT_MANAGE_BASE",
    "CONTENT_MANAGE_ASSIGN_CATEGORIES",
    "CONTENT_INGEST_REFERENCE_MODIFY",
]


def _upload_as(
    run: Run, sandbox: Sandbox, tmp_path: Path, names: list[str], options: UploadOptions = OPTIONS
) -> list[object]:
    category = sandbox.create_category("Courses>Bio")
    role = sandbox.add_role("narrow", names)
    ks = sandbox.ks(user_id="svc", privileges=f"setrole:{role}")
    requests = [
        UploadRequest(path=media(tmp_path, f"clip{n}.mp4", 40 * KIB), category_ids=(category,))
        for n in range(2)
    ]
    outcomes = run(upload_many(requests, options), ks=ks, admin_secret=None)
    return [o.error or o.result for o in outcomes]


@pytest.mark.parametrize(
    ("missing", "action"),
    [
        ("CONTENT_MANAGE_ASSIGN_CATEGORIES", "categoryentry->add"),
        ("CONTENT_MANAGE_BASE", "baseentry->get"),
    ],
)
def test_a_role_lacking_a_permission_is_refused_before_anything_is_made(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path, missing: str, action: str
) -> None:
    ended = _upload_as(run, kaltura_sandbox, tmp_path, [p for p in UPLOADER if p != missing])
    assert all(isinstance(e, PermissionMissingError) for e in ended), ended
    assert {(e.permission, e.action) for e in ended} == {(missing, action)}  # type: ignore[attr-defined]
    assert missing in str(ended[0])
    assert kaltura_sandbox.stats.calls[("baseentry", "add")] == 0
    assert _everything_of(run, kaltura_sandbox) == ([], [])


def test_a_role_that_may_not_write_the_reference_id_is_refused_when_it_is_required(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    names = [p for p in UPLOADER if p != "CONTENT_INGEST_REFERENCE_MODIFY"]
    required = attrs.evolve(OPTIONS, require_reference_id=True)
    ended = _upload_as(run, kaltura_sandbox, tmp_path, names, required)
    assert all(isinstance(e, ReferenceIdNotWritableError) for e in ended), ended
    assert kaltura_sandbox.stats.calls[("baseentry", "add")] == 0  # not even a probe
    assert _everything_of(run, kaltura_sandbox) == ([], [])


def test_the_permissions_ride_the_category_check_at_no_request_of_their_own(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    ended = _upload_as(run, kaltura_sandbox, tmp_path, UPLOADER)
    assert not [e for e in ended if isinstance(e, Exception)], ended
    stats = kaltura_sandbox.stats
    assert stats.calls[("permission", "getcurrentpermissions")] == 1  # once per run
    assert stats.calls[("category", "get")] == 1  # beside it, in the same multiRequest
    # (the requests per file the upload tests and benchmarks pin are unchanged by it)


def test_without_a_category_check_the_permissions_ride_the_first_lookup(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    # no category: no category check is sent, so the permissions ride the lookup of the run's
    # own upload tokens (one uploadToken.list beside them), still before any baseEntry.add
    role = kaltura_sandbox.add_role("no-read", ["CONTENT_INGEST_UPLOAD"])
    ks = kaltura_sandbox.ks(user_id="svc", privileges=f"setrole:{role}")
    requests = [UploadRequest(path=media(tmp_path, "clip.mp4", 40 * KIB))]
    (outcome,) = run(upload_many(requests, OPTIONS), ks=ks, admin_secret=None)
    assert isinstance(outcome.error, PermissionMissingError), outcome
    assert outcome.error.permission == "CONTENT_MANAGE_BASE"
    stats = kaltura_sandbox.stats
    assert stats.calls[("permission", "getcurrentpermissions")] == 1
    assert stats.calls[("baseentry", "add")] == 0
    assert _everything_of(run, kaltura_sandbox) == ([], [])
