"""Which permissions allow which actions, and which entry fields need a permission to be written.

``ACTIONS`` is ``deployment/permissions/service.<name>.ini`` for the services the sandbox runs: an
action is allowed when the session's role holds any of its permissions
(``kPermissionManager::isActionPermitted``). Partner-group items (``-1>PARTNER_-1_GROUP_*``,
``-1>BATCH_BASE``...) are left out: they serve Kaltura's own internal partners.

``FIELDS`` is ``object.KalturaBaseEntry.ini`` and ``object.KalturaCategory.ini`` for the
properties those classes mark ``@requiresPermission``: a session whose role holds none of a
field's permissions has the field dropped silently (``KalturaObject::validateForInsert`` /
``validateForUpdate``). A property with an ini entry but no annotation (``entitledUsersEdit``,
``KalturaCategory.appearInList``) is not checked by the server, so not here either.
"""

from __future__ import annotations

ALL = "*"  # a role's ``permissionNames`` wildcard: every permission of the partner
ALWAYS_ALLOWED = "ALWAYS_ALLOWED_ACTIONS"  # added to every role (the partner's always-allowed)
BASE_USER = "BASE_USER_SESSION_PERMISSION"
WIDGET = "WIDGET_SESSION_PERMISSION"


def _table(spec: str) -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for line in spec.strip().splitlines():
        action, _, names = line.partition(":")
        table[action.strip()] = frozenset(names.split())
    return table


_ENTRY_READ = "CONTENT_MANAGE_BASE KMC_READ_ONLY BASE_USER_SESSION_PERMISSION"
_UPLOAD = "CONTENT_INGEST_UPLOAD BASE_USER_SESSION_PERMISSION CAPTURE_DEVICE_PERMISSION"
_LIST = "PLAYLIST_ADD PLAYLIST_UPDATE PLAYLIST_BASE CONTENT_MODERATE_BASE CONTENT_MANAGE_BASE"
_UPDATE = (
    "CONTENT_MANAGE_SCHEDULE CONTENT_MANAGE_ACCESS_CONTROL CONTENT_MANAGE_METADATA"
    " CONTENT_MODERATE_METADATA CONTENT_MANAGE_THUMBNAIL CONTENT_INGEST_UPLOAD"
    " CONTENT_MANAGE_ASSIGN_CATEGORIES BASE_USER_SESSION_PERMISSION CAPTURE_DEVICE_PERMISSION"
)
_UPLOAD_TOKENS = "CONTENT_INGEST_UPLOAD BASE_USER_SESSION_PERMISSION BASE_UPLOAD_PERMISSION"
_ASSIGN = "CONTENT_MANAGE_ASSIGN_CATEGORIES BASE_USER_SESSION_PERMISSION"

ACTIONS: dict[str, dict[str, frozenset[str]]] = {
    "session": _table(
        f"""
        get: SESSION_READ_PERMISSION KMC_ACCESS KMC_READ_ONLY
        start: {ALWAYS_ALLOWED} {BASE_USER} {WIDGET}
        startWidgetSession: {ALWAYS_ALLOWED} {BASE_USER} {WIDGET} PLAYBACK_BASE_PERMISSION
        get: SESSION_READ_PERMISSION KMC_ACCESS KMC_READ_ONLY
        """
    ),
    "baseentry": _table(
        f"""
        add: {_UPLOAD}
        addContent: {_UPLOAD}
        addFromUploadedFile: {_UPLOAD} BASE_UPLOAD_PERMISSION
        count: CONTENT_MODERATE_BASE CONTENT_MANAGE_BASE {BASE_USER} {WIDGET}
        delete: CONTENT_MANAGE_DELETE {BASE_USER}
        get: {_ENTRY_READ} {WIDGET} PLAYBACK_BASE_PERMISSION CAPTURE_DEVICE_PERMISSION
        getByIds: CONTENT_MANAGE_BASE {BASE_USER} {WIDGET} PLAYBACK_BASE_PERMISSION
        list: {_LIST} KMC_READ_ONLY {BASE_USER} {WIDGET} PLAYBACK_BASE_PERMISSION
        recycle: CONTENT_MANAGE_DELETE {BASE_USER}
        restoreRecycled: CONTENT_MANAGE_DELETE {BASE_USER}
        update: LIVE_STREAM_UPDATE {_UPDATE}
        updateContent: {_UPLOAD}
        upload: CONTENT_INGEST_UPLOAD {BASE_USER}
        """
    ),
    "media": _table(
        f"""
        add: CONTENT_INGEST_ORPHAN_VIDEO CONTENT_INGEST_ORPHAN_AUDIO LIVE_STREAM_ADD {_UPLOAD}
            CONTENT_MANAGE_BASE
        addContent: {_UPLOAD}
        addFromUploadedFile: CONTENT_INGEST_UPLOAD {BASE_USER} BASE_UPLOAD_PERMISSION
        approveReplace: CONTENT_INGEST_REPLACE KMS_USER_PERMISSION
        cancelReplace: CONTENT_INGEST_REPLACE KMS_USER_PERMISSION
        count: CONTENT_MANAGE_BASE {BASE_USER} {WIDGET}
        delete: CONTENT_MANAGE_DELETE {BASE_USER}
        get: CONTENT_MANAGE_BASE {BASE_USER} {WIDGET}
        list: {_LIST} {BASE_USER} {WIDGET}
        update: {_UPDATE}
        updateContent: {_UPLOAD}
        upload: CONTENT_INGEST_UPLOAD {BASE_USER}
        """.replace("\n            ", " ")
    ),
    # ``get`` is CONTENT_MANAGE_BASE only: a USER KS may list an entry's assets, not get one
    "flavorasset": _table(
        f"""
        get: CONTENT_MANAGE_BASE
        getUrl: CONTENT_INGEST_UPLOAD CONTENT_MANAGE_BASE {BASE_USER} {WIDGET}
            PLAYBACK_BASE_PERMISSION
        list: CONTENT_MANAGE_BASE {BASE_USER} {WIDGET} PLAYBACK_BASE_PERMISSION
        """.replace("\n            ", " ")
    ),
    "uploadtoken": _table(
        f"""
        add: ATTACHMENT_MODIFY CAPTION_MODIFY {_UPLOAD_TOKENS} CAPTURE_DEVICE_PERMISSION
        delete: {_UPLOAD_TOKENS}
        get: {_UPLOAD_TOKENS} {WIDGET} CAPTURE_DEVICE_PERMISSION
        list: {_UPLOAD_TOKENS} {WIDGET} CAPTURE_DEVICE_PERMISSION
        upload: ATTACHMENT_MODIFY CAPTION_MODIFY {_UPLOAD_TOKENS} CAPTURE_DEVICE_PERMISSION
        """
    ),
    "category": _table(
        f"""
        add: CONTENT_MANAGE_EDIT_CATEGORIES
        delete: CONTENT_MANAGE_EDIT_CATEGORIES
        get: CONTENT_MANAGE_EDIT_CATEGORIES CONTENT_MANAGE_ASSIGN_CATEGORIES CONTENT_MANAGE_BASE
            {BASE_USER} {WIDGET}
        list: CONTENT_MANAGE_ASSIGN_CATEGORIES CONTENT_MODERATE_BASE CONTENT_MANAGE_BASE
            ANALYTICS_BASE KMC_READ_ONLY {BASE_USER} {WIDGET}
        update: CONTENT_MANAGE_EDIT_CATEGORIES
        """.replace("\n            ", " ")
    ),
    "categoryentry": _table(
        f"""
        add: {_ASSIGN}
        delete: {_ASSIGN}
        list: {_ASSIGN} PLAYLIST_BASE CONTENT_MODERATE_BASE CONTENT_MANAGE_BASE KMC_READ_ONLY
        """
    ),
    "userrole": _table(
        """
        add: ADMIN_ROLE_ADD
        delete: ADMIN_ROLE_DELETE
        get: ADMIN_BASE KMC_READ_ONLY
        list: ADMIN_BASE ACCOUNT_BASE
        update: ADMIN_ROLE_UPDATE
        """
    ),
    "apptoken": _table(
        f"""
        add: APP_TOKEN_ADD
        delete: APP_TOKEN_DELETE
        get: APP_TOKEN_BASE KMC_READ_ONLY
        list: APP_TOKEN_BASE KMC_READ_ONLY
        update: APP_TOKEN_UPDATE
        startSession: {BASE_USER} {WIDGET}
        """
    ),
    "permission": _table(
        f"""
        getCurrentPermissions: {ALWAYS_ALLOWED} {BASE_USER}
        """
    ),
}

_BY_LOWER_NAME = {
    service: {action.lower(): names for action, names in actions.items()}
    for service, actions in ACTIONS.items()
}


def _fields(cls: str, spec: str) -> dict[tuple[str, str, str], frozenset[str]]:
    """Read ``"prop [insert] [update]: PERM PERM"`` lines into (class, prop, operation) keys."""
    table: dict[tuple[str, str, str], frozenset[str]] = {}
    for line in spec.strip().splitlines():
        head, _, names = line.partition(":")
        prop, *operations = head.split()
        for operation in operations:
            table[(cls, prop, operation)] = frozenset(names.split())
    return table


_METADATA = f"CONTENT_MANAGE_METADATA CONTENT_MODERATE_METADATA {BASE_USER}"
_CATEGORY_USERS = "CONTENT_MANAGE_CATEGORY_USERS"
# (declaring class, property, "insert" | "update") -> permissions
FIELDS: dict[tuple[str, str, str], frozenset[str]] = {
    **_fields(
        "KalturaBaseEntry",
        f"""
        name update: {_METADATA}
        description update: {_METADATA}
        tags update: {_METADATA}
        categories insert update: CONTENT_MANAGE_ASSIGN_CATEGORIES {BASE_USER}
        categoriesIds insert update: CONTENT_MANAGE_ASSIGN_CATEGORIES {BASE_USER}
        accessControlId insert update: CONTENT_MANAGE_ACCESS_CONTROL
        startDate insert update: CONTENT_MANAGE_SCHEDULE
        endDate insert update: CONTENT_MANAGE_SCHEDULE
        referenceId insert update: CONTENT_INGEST_REFERENCE_MODIFY
        """,
    ),
    **_fields(
        "KalturaCategory",
        f"""
        privacy insert update: {_CATEGORY_USERS}
        inheritanceType insert update: {_CATEGORY_USERS}
        userJoinPolicy insert update: {_CATEGORY_USERS}
        defaultPermissionLevel insert update: {_CATEGORY_USERS}
        owner insert update: {_CATEGORY_USERS}
        contributionPolicy insert update: {_CATEGORY_USERS}
        privacyContext insert update: {_CATEGORY_USERS}
        """,
    ),
}


def every_permission_named() -> frozenset[str]:
    """Return every permission name the tables above use."""
    names: set[str] = set()
    for actions in ACTIONS.values():
        for allowed in actions.values():
            names |= allowed
    for allowed in FIELDS.values():
        names |= allowed
    return frozenset(names)


def action_permitted(held: frozenset[str], service: str, action: str) -> bool | None:
    """Return whether ``held`` allows ``service.action`` (None: the action is not in the table)."""
    allowed = _BY_LOWER_NAME.get(service.lower(), {}).get(action.lower())
    if allowed is None:
        return None
    return ALL in held or bool(allowed & held)


def field_permitted(held: frozenset[str], cls: str, name: str, operation: str) -> bool:
    """Return whether ``held`` may write ``cls``'s property ``name`` on ``operation``."""
    allowed = FIELDS.get((cls, name, operation))
    return allowed is None or ALL in held or bool(allowed & held)
