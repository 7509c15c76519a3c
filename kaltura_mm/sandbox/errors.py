"""The API errors the sandbox raises, with the real server's codes, argument names and messages.

Each entry of ``CATALOGUE`` mirrors a ``KalturaErrors`` constant ``"CODE;ARGS;template"``: the
message is the template with ``@ARG@`` replaced, and a missing argument becomes ``"N/A"``.
"""

from __future__ import annotations

CATALOGUE: dict[str, tuple[tuple[str, ...], str]] = {
    "INTERNAL_SERVERL_ERROR": ((), "Internal server error occurred"),
    "MISSING_KS": ((), "Missing KS, session not established"),
    "INVALID_KS": (
        ("KSID", "ERR_CODE", "ERR_DESC"),
        'Invalid KS "@KSID@", Error "@ERR_CODE@,@ERR_DESC@"',
    ),
    "SERVICE_NOT_SPECIFIED": ((), "Service name was not specified, please specify one"),
    "SERVICE_DOES_NOT_EXISTS": (("SRV_NAME",), 'Service "@SRV_NAME@" does not exists'),
    "ACTION_NOT_SPECIFIED": ((), "Action name was not specified, please specify one"),
    "ACTION_DOES_NOT_EXISTS": (
        ("ACTION_NAME", "SERVICE_NAME"),
        'Action "@ACTION_NAME@" does not exists for service "@SERVICE_NAME@"',
    ),
    "ACTION_BLOCKED": (
        ("ACTION_NAME", "SERVICE_NAME"),
        'Action "@ACTION_NAME@" in service "@SERVICE_NAME@" is blocked',
    ),
    "SERVICE_FORBIDDEN": (("SERVICE",), "The access to service [@SERVICE@] is forbidden"),
    "INVALID_OBJECT_ID": (("ID",), "Invalid object id [@ID@]"),
    "INVALID_SET_ROLE": ((), "Invalid set role id"),
    "INVALID_ACTIONS_LIMIT": ((), "Invalid actions limit"),
    "ROLE_NAME_ALREADY_EXISTS": ((), "A role with the same name already exists"),
    "ROLE_IS_BEING_USED": ((), "Role is being used"),
    "SYSTEM_NAME_ALREADY_EXISTS": (("SYS_NAME",), "System name [@SYS_NAME@] already exists"),
    "PERMISSION_NOT_FOUND": (("ERR_TEXT",), "@ERR_TEXT@"),
    "PROPERTY_VALIDATION_NO_INSERT_PERMISSION": (
        ("PROP",),
        'Current user does not have permission to insert property "@PROP@"',
    ),
    "PROPERTY_VALIDATION_NO_UPDATE_PERMISSION": (
        ("PROP",),
        'Current user does not have permission to update property "@PROP@"',
    ),
    "START_SESSION_ERROR": (("PID",), "Error while starting session for partner [@PID@]"),
    "INVALID_WIDGET_ID": (("WIDGET_ID",), "Unknown widget [@WIDGET_ID@]"),
    "PARTNER_ACCESS_FORBIDDEN": (
        ("ACCESSING_PID", "ACCESSED_PID"),
        "Partner [@ACCESSING_PID@] cannot access partner [@ACCESSED_PID@]",
    ),
    "INVALID_FIELD_VALUE": (("FIELD_NAME",), "value in field [@FIELD_NAME@] is not valid"),
    "APP_TOKEN_ID_NOT_FOUND": (("ID",), 'Application token id "@ID@" not found'),
    "APP_TOKEN_NOT_ACTIVE": (("ID",), 'Application token id "@ID@" not active'),
    "APP_TOKEN_EXPIRED": (("ID",), 'Application token id "@ID@" expired'),
    "INVALID_APP_TOKEN_HASH": ((), "Invalid application token hash"),
    "MISSING_MANDATORY_PARAMETER": (("PARAM_NAME",), 'Missing parameter "@PARAM_NAME@"'),
    "INVALID_ENUM_VALUE": (
        ("ENUM_VAL", "PARAM_NAME", "ENUM_TYPE"),
        'Invalid enumeration value "@ENUM_VAL@" for parameter "@PARAM_NAME@", '
        'expecting enumeration type "@ENUM_TYPE@"',
    ),
    "INVALID_PARAMETER_CHAR": (("XML_FIELD",), 'Invalid char in "@XML_FIELD@" field'),
    "OBJECT_TYPE_ABSTRACT": (
        ("OBJ_TYPE",),
        'The object type "@OBJ_TYPE@" is abstract, use one of the object implementations',
    ),
    "PROPERTY_VALIDATION_CANNOT_BE_NULL": (
        ("PROP_NAME",),
        'The property "@PROP_NAME@" cannot be null',
    ),
    "PROPERTY_VALIDATION_NOT_UPDATABLE": (
        ("PROP_NAME",),
        'The property "@PROP_NAME@" cannot be updated',
    ),
    "PROPERTY_VALIDATION_ADMIN_PROPERTY": (
        ("PROP_NAME",),
        'The property "@PROP_NAME@" is updatable with admin session only',
    ),
    "PROPERTY_VALIDATION_MIN_LENGTH": (
        ("PROP_NAME", "MIN_LEN"),
        'The property "@PROP_NAME@" must have a min length of @MIN_LEN@ characters',
    ),
    "PROPERTY_VALIDATION_MAX_LENGTH": (
        ("PROP_NAME", "MAX_LEN"),
        'The property "@PROP_NAME@" cannot have more than @MAX_LEN@ characters',
    ),
    "PROPERTY_VALIDATION_ENTRY_STATUS": (
        ("PROP_NAME", "STATUS"),
        'The property "@PROP_NAME@" cannot be set for entry status "@STATUS@"',
    ),
    "ACCESS_CONTROL_ID_NOT_FOUND": (("ID",), 'Access control id "@ID@" not found'),
    "CONVERSION_PROFILE_ID_NOT_FOUND": (("ID",), 'Conversion profile id "@ID@" not found'),
    "INVALID_ENTRY_SCHEDULE_DATES": ((), "Invalid entry schedule dates"),
    "ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED": (
        ("DISPLAY_IN_SEARCH_NEW_VALUE",),
        'Cannot set the value of DISPLAY_IN_SEARCH to ["@DISPLAY_IN_SEARCH_NEW_VALUE@"]',
    ),
    "ENTRY_ID_NOT_FOUND": (("ENTRY_ID",), 'Entry id "@ENTRY_ID@" not found'),
    "FLAVOR_ASSET_ID_NOT_FOUND": (("ID",), 'Flavor asset id "@ID@" not found'),
    "FLAVOR_ASSET_IS_NOT_READY": ((), "The flavor asset is not ready"),
    "ASSET_ID_NOT_FOUND": (("ID",), 'Asset id "@ID@" not found'),
    "INVALID_ENTRY_STATUS_FOR_RECYCLE": ((), "The entry displayInStatus is invalid for recycle"),
    "INVALID_ENTRY_STATUS_FOR_RESTORE": (
        (),
        "Only entry in displayInStatus RECYCLED can be restored",
    ),
    "FEATURE_RECYCLE_BIN_DISABLED": ((), "Feature recycle bin is disabled for partner"),
    "INVALID_ENTRY_ID": (("ID",), 'Invalid entry id ["@ID@"]'),
    "ENTRY_ALREADY_WITH_CONTENT": ((), "Entry already associated with content"),
    "ENTRY_TYPE_NOT_SUPPORTED": (("ENTRY_TYPE",), 'Entry type "@ENTRY_TYPE@" not supported'),
    "FEATURE_FORBIDDEN": (("FEATURE",), "The usage of feature [@FEATURE@] is forbidden"),
    "ENTRY_REPLACEMENT_ALREADY_EXISTS": ((), "Entry already in replacement"),
    "ENTRY_ID_NOT_REPLACED": (("ENTRY_ID",), 'Entry id "@ENTRY_ID@" not replaced'),
    "INVALID_ENTRY_TYPE": (
        ("ENTRY_NAME", "WRONG_ENTRY_TYPE", "RIGHT_ENTRY_TYPE"),
        'Entry "@ENTRY_NAME@" type is "@WRONG_ENTRY_TYPE@", type must be "@RIGHT_ENTRY_TYPE@"',
    ),
    "RESOURCE_TYPE_NOT_SUPPORTED": (("RES_TYPE",), 'Resource type "@RES_TYPE@" not supported'),
    "UPLOAD_TOKEN_NOT_FOUND": ((), "Upload token not found"),
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD": (
        (),
        "Upload token is in an invalid status for uploading a file, "
        "maybe the file was already uploaded",
    ),
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY": (
        (),
        "Upload token is in an invalid status for adding entry, "
        "maybe the a file was not uploaded or the token was used",
    ),
    "UPLOAD_TOKEN_CANNOT_RESUME": ((), "Cannot resume the upload, original file was not found"),
    "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE": ((), "Failed to match expected file size"),
    "UPLOAD_TOKEN_MISSING_FILE_SIZE": ((), "FileSize is mandatory when enabling autoFinalize"),
    "UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED": (
        ("MAX_RESUME_TIME",),
        "Max resume time of @MAX_RESUME_TIME@ seconds reached, cannot resume upload",
    ),
    "UPLOAD_ERROR": ((), "Upload failed"),
    "UPLOADED_FILE_NOT_FOUND_BY_TOKEN": (
        (),
        "The uploaded file was not found by the given token id, or was already used",
    ),
    "CATEGORY_NOT_FOUND": (("ID",), 'Category id "@ID@" not found'),
    "CATEGORY_ENTRY_ALREADY_EXISTS": ((), "Entry already assigned to this category"),
    "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY": ((), "Entry doesn't assigned to category"),
    "MAX_CATEGORIES_FOR_ENTRY_REACHED": (
        ("CATEGORIES",),
        'Entry can be linked with a maximum of "@CATEGORIES@" categories',
    ),
    "CANNOT_ASSIGN_ENTRY_TO_CATEGORY": ((), "Cannot assign entry to category"),
    "CANNOT_REMOVE_ENTRY_FROM_CATEGORY": ((), "Cannot remove entry from category"),
    "CANNOT_UPDATE_CATEGORY_PRIVACY_CONTEXT": ((), "Cannot update privacy context"),
    "CANNOT_SET_MULTI_PRIVACY_CONTEXT": (
        (),
        " Cannot set multiple privacy context when Disable Category Limit feature is turned on",
    ),
    "ENTRY_CATEGORY_FIELD_IS_DEPRECATED": (
        (),
        "entry->categories and entry->categoriesIds fields are deprecated - user categoryEntry"
        " service",
    ),
    "CANNOT_SET_APPEAR_IN_LIST_FIELD_WITH_NO_PRIVACY_CONTEXT": (
        (),
        "Cannot set appear in list field when privacy context is not set on the categroy",
    ),
    "CANNOT_SET_INHERITANCE_TYPE_FIELD_WITH_NO_PRIVACY_CONTEXT": (
        (),
        "Cannot set inheritance field when privacy context is not set on the categroy",
    ),
    "CANNOT_SET_PRIVACY_FIELD_WITH_NO_PRIVACY_CONTEXT": (
        (),
        "Cannot set privacy field when privacy context is not set on the categroy",
    ),
    "CANNOT_SET_OWNER_FIELD_WITH_NO_PRIVACY_CONTEXT": (
        (),
        "Cannot set owner field when privacy context is not set on the categroy",
    ),
    "CANNOT_SET_USER_JOIN_POLICY_FIELD_WITH_NO_PRIVACY_CONTEXT": (
        (),
        "Cannot set user join policy field when privacy context is not set on the categroy",
    ),
    "CANNOT_SET_CONTIRUBUTION_POLICY_FIELD_WITH_NO_PRIVACY_CONTEXT": (
        (),
        "Cannot set contribution policy field when privacy context is not set on the categroy",
    ),
    "CANNOT_SET_DEFAULT_PERMISSION_LEVEL_FIELD_WITH_NO_PRIVACY_CONTEXT": (
        (),
        "Cannot set default permission level field when privacy context is not set on the categroy",
    ),
    "MUST_FILTER_ON_ENTRY_OR_CATEGORY": ((), "Must filter on entry id or category"),
    "CATEGORIES_LOCKED": ((), "Categories are locked"),
    "DUPLICATE_CATEGORY": (("CATEGORY",), 'The category "@CATEGORY@" already exists'),
    "PARENT_CATEGORY_NOT_FOUND": (("ID",), 'Parent category id "@ID@" not found'),
    "PARENT_CATEGORY_IS_CHILD": (
        ("PARENT_CATEGORY", "OTHER_CATEGORY"),
        'The parent category "@PARENT_CATEGORY@" is one of the children for category '
        '"@OTHER_CATEGORY@"',
    ),
    "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED": (
        (),
        "Unable to generate list. max matches value was reached",
    ),
    "UNKNOWN_RESPONSE_FORMAT": (
        ("FORMAT",),
        "Response format provided [@FORMAT@] is not recognized by server",
    ),
}


class KalturaApiException(Exception):
    """An API error the server reports as ``KalturaAPIException`` with HTTP 200."""

    def __init__(self, code: str, *values: object) -> None:
        names, template = CATALOGUE[code]
        self.code = code
        self.args_map: dict[str, str] = {}
        for index, name in enumerate(names):
            self.args_map[name] = str(values[index]) if index < len(values) else "N/A"
        message = template
        for name, value in self.args_map.items():
            message = message.replace(f"@{name}@", value)
        self.message = message
        super().__init__(code, message)

    def __repr__(self) -> str:
        # KSID may carry a KS string: keep it out of reprs and logs.
        return f"KalturaApiException({self.code!r})"

    def __str__(self) -> str:
        return self.code


def invalid_ks(
    ks_id: str, err_code: str = "-1", err_desc: str = "INVALID_STR"
) -> KalturaApiException:
    """Build the ``INVALID_KS`` error the real front controller formats."""
    return KalturaApiException("INVALID_KS", ks_id, err_code, err_desc)
