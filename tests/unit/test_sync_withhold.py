"""A sync prunes nothing once an add of the run was refused for permission (pure part)."""

from __future__ import annotations

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import describe
from kaltura_mm.errors import (
    ApiError,
    KalturaError,
    PermissionMissingError,
    ReferenceIdNotWritableError,
    TransportError,
    UploadError,
)
from kaltura_mm.sync.withhold import WITHHELD, permission_refusal, withheld

MISSING = PermissionMissingError("categoryentry->add", "CONTENT_MANAGE_ASSIGN_CATEGORIES")


def test_only_a_permission_refusal_withholds_the_prune() -> None:
    forbidden = ApiError.create("SERVICE_FORBIDDEN", "no", {"SERVICE": "baseentry->add"})
    stopped = UploadError("stopped")
    stopped.__cause__ = forbidden
    assert permission_refusal(MISSING) is MISSING
    assert permission_refusal(stopped) is forbidden
    assert permission_refusal(ReferenceIdNotWritableError("dropped")) is not None
    assert permission_refusal(TransportError("down", may_have_reached_server=False)) is None
    assert permission_refusal(UploadError("file changed")) is None
    assert permission_refusal(None) is None


def test_a_withheld_prune_says_why_and_is_a_permission_failure() -> None:
    for refusal in (
        MISSING,
        ReferenceIdNotWritableError("this session's role lacks the permission X"),
        ApiError.create("SERVICE_FORBIDDEN", "no", {"SERVICE": "baseentry->add"}),
    ):
        error = withheld(refusal)
        assert isinstance(error, KalturaError) and error.cause is refusal
        told = describe(error)
        assert told.code is ExitCode.AUTH, told
        assert told.problem.startswith(WITHHELD), told
    assert "CONTENT_MANAGE_ASSIGN_CATEGORIES" in describe(withheld(MISSING)).problem
