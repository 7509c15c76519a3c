"""The client's table of what an upload run needs of the session's role (pure)."""

from __future__ import annotations

import pickle

import pytest

from kaltura_mm.errors import PermissionMissingError, ServiceForbiddenError
from kaltura_mm.upload.permissions_needed import UploadNeeds, first_missing, held_from

UPLOADER = frozenset(
    {
        "CONTENT_INGEST_UPLOAD",
        "CONTENT_MANAGE_BASE",
        "CONTENT_MANAGE_ASSIGN_CATEGORIES",
        "CONTENT_INGEST_REFERENCE_MODIFY",
        "ALWAYS_ALLOWED_ACTIONS",
    }
)
EVERYTHING = UploadNeeds(categories=True, reference_id=True)


@pytest.mark.parametrize("answer", ["*", "", " , ", "A,*", None, 3])
def test_an_answer_that_says_nothing_sure_is_unknown(answer: object) -> None:
    assert held_from(answer) is None
    assert first_missing(held_from(answer), EVERYTHING) is None  # unknown: the run goes on


def test_the_answer_is_read_as_names() -> None:
    assert held_from(" CONTENT_MANAGE_BASE,ALWAYS_ALLOWED_ACTIONS ,") == frozenset(
        {"CONTENT_MANAGE_BASE", "ALWAYS_ALLOWED_ACTIONS"}
    )


def test_the_uploader_role_lacks_nothing() -> None:
    assert first_missing(UPLOADER, EVERYTHING) is None


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        ("CONTENT_INGEST_UPLOAD", ("uploadtoken->add", "CONTENT_INGEST_UPLOAD")),
        ("CONTENT_MANAGE_BASE", ("baseentry->get", "CONTENT_MANAGE_BASE")),
        (
            "CONTENT_MANAGE_ASSIGN_CATEGORIES",
            ("categoryentry->add", "CONTENT_MANAGE_ASSIGN_CATEGORIES"),
        ),
        ("CONTENT_INGEST_REFERENCE_MODIFY", ("referenceId", "CONTENT_INGEST_REFERENCE_MODIFY")),
    ],
)
def test_each_missing_permission_is_named(missing: str, expected: tuple[str, str]) -> None:
    assert first_missing(UPLOADER - {missing}, EVERYTHING) == expected


def test_what_the_run_does_not_send_is_not_asked_for() -> None:
    plain = UploadNeeds(categories=False, reference_id=False)
    lacking = UPLOADER - {"CONTENT_MANAGE_ASSIGN_CATEGORIES", "CONTENT_INGEST_REFERENCE_MODIFY"}
    assert first_missing(lacking, plain) is None


def test_a_user_session_s_base_permission_allows_every_action_but_not_the_field() -> None:
    user = frozenset({"BASE_USER_SESSION_PERMISSION", "ALWAYS_ALLOWED_ACTIONS"})
    assert first_missing(user, UploadNeeds(categories=True, reference_id=False)) is None
    assert first_missing(user, EVERYTHING) == ("referenceId", "CONTENT_INGEST_REFERENCE_MODIFY")


def test_the_refusal_is_a_service_forbidden_naming_the_permission_and_pickles() -> None:
    error = PermissionMissingError("categoryentry->add", "CONTENT_MANAGE_ASSIGN_CATEGORIES")
    assert isinstance(error, ServiceForbiddenError) and error.code == "SERVICE_FORBIDDEN"
    assert error.kaltura_args["SERVICE"] == "categoryentry->add"
    assert "lacks CONTENT_MANAGE_ASSIGN_CATEGORIES" in str(error)
    again = pickle.loads(pickle.dumps(error))  # our own error, just made
    assert (again.action, again.permission, str(again)) == (
        error.action,
        error.permission,
        str(error),
    )
