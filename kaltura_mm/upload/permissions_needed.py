"""What an upload run needs of the session's role, known before it creates anything.

An action is allowed when the role holds any one of the permissions the server lists for it.
``ALLOWED`` copies, for the actions a fresh upload always sends, the Kaltura server's
``deployment/permissions/service.uploadtoken.ini``, ``service.baseentry.ini``,
``service.categoryentry.ini`` and, for the ``referenceId`` field, ``object.KalturaBaseEntry.ini``
(partner-group items such as ``-1>PARTNER_-1_GROUP_*_PERMISSION`` left out: they serve Kaltura's
own partners). ``LEAST`` is the permission docs/least-privilege.md gives each, the one an error
tells the user to add.

Why: the create multiRequest makes the entry (``baseEntry.add``) before later steps the role may
be refused (the read-back, ``categoryEntry.add``), and a role without ``CONTENT_MANAGE_DELETE``
cannot take it back. ``permission.getCurrentPermissions`` rides the run's category check
(``kaltura_mm.upload.run_checks``) or its first lookup, so knowing costs no request; an answer
that is ``*``, empty or refused is "unknown" and the run goes on as before.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from kaltura_mm.errors import KalturaError, PermissionMissingError, ReferenceIdNotWritableError
from kaltura_mm.upload.job import Job

_BASE_USER = "BASE_USER_SESSION_PERMISSION"
_UPLOAD = frozenset({"CONTENT_INGEST_UPLOAD", _BASE_USER, "CAPTURE_DEVICE_PERMISSION"})
_TOKENS = frozenset(
    {"CONTENT_INGEST_UPLOAD", _BASE_USER, "CAPTURE_DEVICE_PERMISSION", "BASE_UPLOAD_PERMISSION"}
)
_READ = frozenset(
    {
        "CONTENT_MANAGE_BASE",
        "KMC_READ_ONLY",
        _BASE_USER,
        "WIDGET_SESSION_PERMISSION",
        "PLAYBACK_BASE_PERMISSION",
        "CAPTURE_DEVICE_PERMISSION",
    }
)

# action (as the server names it in SERVICE_FORBIDDEN) -> the permissions that allow it
ALLOWED: dict[str, frozenset[str]] = {
    "uploadtoken->add": _TOKENS | {"ATTACHMENT_MODIFY", "CAPTION_MODIFY"},
    "uploadtoken->upload": _TOKENS | {"ATTACHMENT_MODIFY", "CAPTION_MODIFY"},
    "uploadtoken->list": _TOKENS | {"WIDGET_SESSION_PERMISSION"},
    "baseentry->add": _UPLOAD,
    "baseentry->get": _READ,  # the create request reads the entry back
    "categoryentry->add": frozenset({"CONTENT_MANAGE_ASSIGN_CATEGORIES", _BASE_USER}),
    "referenceId": frozenset({"CONTENT_INGEST_REFERENCE_MODIFY"}),  # a field, dropped silently
}
LEAST: dict[str, str] = {
    "uploadtoken->add": "CONTENT_INGEST_UPLOAD",
    "uploadtoken->upload": "CONTENT_INGEST_UPLOAD",
    "uploadtoken->list": "CONTENT_INGEST_UPLOAD",
    "baseentry->add": "CONTENT_INGEST_UPLOAD",
    "baseentry->get": "CONTENT_MANAGE_BASE",
    "categoryentry->add": "CONTENT_MANAGE_ASSIGN_CATEGORIES",
    "referenceId": "CONTENT_INGEST_REFERENCE_MODIFY",
}
_ALWAYS = ("uploadtoken->add", "uploadtoken->upload", "uploadtoken->list", "baseentry->add")


def held_from(answer: object) -> frozenset[str] | None:
    """Return the names ``permission.getCurrentPermissions`` answered; None: unknown (an error,
    an empty answer or ``*``)."""
    if not isinstance(answer, str):
        return None
    names = frozenset(n.strip() for n in answer.split(",") if n.strip())
    return None if not names or "*" in names else names


@attrs.frozen
class UploadNeeds:
    """What the uploads of one run send: categories to link, a referenceId that must stay."""

    categories: bool
    reference_id: bool

    def actions(self) -> Iterable[str]:
        """Return the actions (and fields) every fresh upload of the run sends."""
        yield from _ALWAYS
        yield "baseentry->get"
        if self.categories:
            yield "categoryentry->add"
        if self.reference_id:
            yield "referenceId"


def first_missing(held: frozenset[str] | None, needs: UploadNeeds) -> tuple[str, str] | None:
    """Return the first action (or field) ``held`` allows none of, with the permission to add
    (None: all allowed, or the session's permissions are unknown)."""
    if held is None:
        return None
    for action in needs.actions():
        if not ALLOWED[action] & held:
            return action, LEAST[action]
    return None


def refused_before_create(job: Job, action: str, permission: str) -> KalturaError:
    """Return the error of an upload refused before it made anything: a referenceId the role
    may not write is ``ReferenceIdNotWritableError`` (as when a create's answer shows it
    dropped), an action ``PermissionMissingError``."""
    if action != "referenceId":
        return PermissionMissingError(action, permission)
    return ReferenceIdNotWritableError(
        f"this session's role lacks the permission {permission} (the server's "
        "permission.getCurrentPermissions): the server would drop the entry's referenceId, "
        "and an entry without it is not found again (a re-run or a sync would make it twice). "
        "Nothing was created or sent. Upload with an admin session (the admin secret, or an "
        f"ADMIN KS), or have the account's administrator give this session's role {permission}",
        state=job.state,
    )
