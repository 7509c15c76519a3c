"""The Kaltura object types the sandbox reads from requests, and how it reads them.

An object's ``objectType`` is honoured only when it names a subclass of the declared type (else
the declared type is used); an abstract result is ``OBJECT_TYPE_ABSTRACT``; unknown properties are
ignored; ``prop__null`` clears a property. Read-only / insert-only checks run later, in actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kaltura_mm.sandbox import coerce
from kaltura_mm.sandbox.errors import KalturaApiException

RW, RO, IO = "rw", "ro", "io"


@dataclass(frozen=True)
class TypeDef:
    """One Kaltura class: its parent, own properties (name -> (kind, access)) and abstractness."""

    parent: str | None
    props: dict[str, tuple[str, str]]
    abstract: bool = False


def _props(spec: str, kind: str = "str", access: str = RW) -> dict[str, tuple[str, str]]:
    return {name: (kind, access) for name in spec.split()}


_BASE_ENTRY = {
    "id": ("str", RO),
    **_props("partnerId status moderationStatus moderationCount", "int", RO),
    **_props("createdAt updatedAt", "time", RO),
    **_props("rank totalRank votes version replacementStatus", "int", RO),
    **_props("downloadUrl searchText thumbnailUrl replacingEntryId replacedEntryId", "str", RO),
    **_props("rootEntryId capabilities defaultLanguage responseLanguage", "str", RO),
    "blockAutoTranscript": ("bool", RW),
    **_props("name description userId tags adminTags categories categoriesIds partnerData"),
    **_props("referenceId redirectEntryId parentEntryId entitledUsersEdit"),
    **_props("entitledUsersPublish entitledUsersView"),
    **_props("type groupId licenseType accessControlId partnerSortValue", "int"),
    **_props("conversionProfileId displayInSearch", "int"),
    **_props("startDate endDate", "time"),
    **_props("creatorId templateEntryId application applicationVersion", "str", IO),
}

_ENTRY_FILTER = {
    **_props("idEqual idIn idNotIn nameLike nameMultiLikeOr nameMultiLikeAnd nameEqual"),
    **_props("userIdEqual userIdIn userIdNotIn creatorIdEqual tagsLike tagsMultiLikeOr"),
    **_props("tagsMultiLikeAnd adminTagsLike categoriesMatchAnd categoriesMatchOr"),
    **_props("categoriesNotContains categoriesIdsMatchAnd categoriesIdsMatchOr"),
    **_props("categoriesIdsNotContains statusIn statusNotIn typeIn referenceIdEqual"),
    **_props("referenceIdIn freeText descriptionLike categoriesFullNameIn"),
    **_props("categoryAncestorIdIn moderationStatusIn moderationStatusNotIn orderBy"),
    **_props("displayInSearchIn partnerIdIn"),
    **_props("statusEqual statusNotEqual typeEqual moderationStatusEqual partnerIdEqual", "int"),
    **_props("displayInSearchEqual categoriesIdsEmpty", "int"),
    **_props("createdAtGreaterThanOrEqual createdAtLessThanOrEqual", "time"),
    **_props("updatedAtGreaterThanOrEqual updatedAtLessThanOrEqual", "time"),
}

TYPES: dict[str, TypeDef] = {
    "KalturaBaseEntry": TypeDef(None, _BASE_ENTRY),
    "KalturaPlayableEntry": TypeDef(
        "KalturaBaseEntry",
        {
            **_props("plays views width height duration durationType", "int", RO),
            **_props("lastPlayedAt", "time", RO),
            "msDuration": ("int", RW),
        },
    ),
    "KalturaMediaEntry": TypeDef(
        "KalturaPlayableEntry",
        {
            **_props("mediaType conversionQuality sourceType", "int", IO),
            **_props("sourceVersion searchProviderType searchProviderId", "str", IO),
            **_props("creditUserName creditUrl"),
            **_props("mediaDate", "time", RO),
            **_props("dataUrl flavorParamsIds isTrimDisabled", "str", RO),
        },
    ),
    "KalturaDocumentEntry": TypeDef(
        "KalturaBaseEntry",
        {"documentType": ("int", IO), "assetParamsIds": ("str", RO)},
    ),
    "KalturaDataEntry": TypeDef("KalturaBaseEntry", _props("dataContent retrieveDataContentByGet")),
    "KalturaBaseEntryFilter": TypeDef(None, _ENTRY_FILTER),
    "KalturaPlayableEntryFilter": TypeDef("KalturaBaseEntryFilter", {}),
    "KalturaMediaEntryFilter": TypeDef(
        "KalturaPlayableEntryFilter",
        {**_props("mediaTypeIn"), **_props("mediaTypeEqual", "int")},
    ),
    "KalturaDocumentEntryFilter": TypeDef(
        "KalturaBaseEntryFilter",
        {**_props("documentTypeIn"), **_props("documentTypeEqual", "int")},
    ),
    "KalturaFilterPager": TypeDef(None, _props("pageSize pageIndex", "int")),
    "KalturaAssetFilter": TypeDef(
        None,
        {
            **_props("idEqual idIn entryIdEqual entryIdIn partnerIdIn tagsLike tagsMultiLikeOr"),
            **_props("tagsMultiLikeAnd typeIn orderBy"),
            **_props("partnerIdEqual sizeGreaterThanOrEqual sizeLessThanOrEqual", "int"),
            **_props("createdAtGreaterThanOrEqual createdAtLessThanOrEqual", "time"),
            **_props("updatedAtGreaterThanOrEqual updatedAtLessThanOrEqual", "time"),
            **_props("deletedAtGreaterThanOrEqual deletedAtLessThanOrEqual", "time"),
        },
    ),
    "KalturaFlavorAssetFilter": TypeDef(
        "KalturaAssetFilter",
        {
            **_props("flavorParamsIdIn statusIn statusNotIn"),
            **_props("flavorParamsIdEqual statusEqual", "int"),
        },
    ),
    "KalturaUserRole": TypeDef(
        None,
        {
            **_props("id partnerId", "int", RO),
            **_props("createdAt updatedAt", "time", RO),
            **_props("name systemName description permissionNames tags"),
            "status": ("int", RW),
        },
    ),
    "KalturaUserRoleFilter": TypeDef(
        None,
        {
            **_props("idIn nameEqual nameIn systemNameEqual systemNameIn statusIn orderBy"),
            **_props("idEqual statusEqual", "int"),
        },
    ),
    "KalturaResource": TypeDef(None, {}, abstract=True),
    "KalturaContentResource": TypeDef("KalturaResource", {}, abstract=True),
    "KalturaUploadedFileTokenResource": TypeDef("KalturaContentResource", _props("token")),
    "KalturaUrlResource": TypeDef("KalturaContentResource", _props("url")),
    "KalturaEntryResource": TypeDef("KalturaContentResource", _props("entryId")),
    "KalturaUploadedFileResource": TypeDef("KalturaContentResource", {}),
    "KalturaServerFileResource": TypeDef("KalturaContentResource", _props("localFilePath")),
    "KalturaUploadToken": TypeDef(
        None,
        {
            **_props("id userId uploadUrl attachedObjectType attachedObjectId", "str", RO),
            **_props("partnerId status createdAt updatedAt uploadedFileSize", "int", RO),
            "fileName": ("str", IO),
            "fileSize": ("float", IO),
            "autoFinalize": ("nbool", IO),
        },
    ),
    "KalturaUploadTokenFilter": TypeDef(
        None,
        {
            **_props("idEqual idIn userIdEqual statusIn fileNameEqual orderBy"),
            **_props("statusEqual", "int"),
            "fileSizeEqual": ("float", RW),
        },
    ),
    "KalturaCategory": TypeDef(
        None,
        {
            **_props("id depth partnerId entriesCount status", "int", RO),
            **_props("createdAt updatedAt", "time", RO),
            **_props("directEntriesCount membersCount pendingMembersCount", "int", RO),
            **_props("directSubCategoriesCount pendingEntriesCount inheritedParentId", "int", RO),
            **_props("fullName fullIds privacyContexts", "str", RO),
            **_props("parentId appearInList privacy inheritanceType", "int"),
            **_props("defaultPermissionLevel contributionPolicy partnerSortValue", "int"),
            **_props("moderation isAggregationCategory", "int"),
            **_props("name description tags owner referenceId privacyContext partnerData"),
            **_props("defaultOrderBy aggregationCategories adminTags"),
        },
    ),
    "KalturaCategoryFilter": TypeDef(
        None,
        {
            **_props("idIn idNotIn parentIdIn fullNameEqual fullNameStartsWith fullNameIn"),
            **_props("fullIdsEqual fullIdsStartsWith ancestorIdIn referenceIdEqual freeText"),
            **_props("statusIn orderBy tagsLike nameOrReferenceIdStartsWith privacyContextEqual"),
            **_props("idEqual parentIdEqual depthEqual statusEqual", "int"),
            **_props("createdAtGreaterThanOrEqual createdAtLessThanOrEqual", "time"),
        },
    ),
    "KalturaCategoryEntry": TypeDef(
        None,
        {
            "categoryId": ("int", RW),
            "entryId": ("str", RW),
            **_props("createdAt status", "int", RO),
            **_props("categoryFullIds creatorUserId", "str", RO),
        },
    ),
    "KalturaCategoryEntryFilter": TypeDef(
        None,
        {
            **_props("entryIdEqual entryIdIn categoryIdIn categoryFullIdsStartsWith statusIn"),
            **_props("creatorUserIdEqual creatorUserIdIn orderBy"),
            **_props("categoryIdEqual statusEqual", "int"),
            **_props("createdAtGreaterThanOrEqual createdAtLessThanOrEqual", "time"),
        },
    ),
    "KalturaAppToken": TypeDef(
        None,
        {
            **_props("id token", "str", RO),
            **_props("partnerId status", "int", RO),
            **_props("createdAt updatedAt", "time", RO),
            "expiry": ("time", RW),
            **_props("sessionType sessionDuration", "int"),
            **_props("sessionUserId sessionPrivileges hashType description"),
        },
    ),
    "KalturaAppTokenFilter": TypeDef(
        None,
        {
            **_props("idEqual idIn statusIn sessionUserIdEqual orderBy"),
            "statusEqual": ("int", RW),
            **_props("createdAtGreaterThanOrEqual createdAtLessThanOrEqual", "time"),
            **_props("updatedAtGreaterThanOrEqual updatedAtLessThanOrEqual", "time"),
        },
    ),
}
_TYPES_LOWER = {name.lower(): name for name in TYPES}


def is_subclass(name: str, ancestor: str) -> bool:
    """Return True when ``name`` is ``ancestor`` or derives from it."""
    current: str | None = name
    while current is not None:
        if current == ancestor:
            return True
        current = TYPES[current].parent
    return False


def all_props(name: str) -> dict[str, tuple[str, str]]:
    """Return the properties of ``name`` and its ancestors."""
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        chain.append(current)
        current = TYPES[current].parent
    merged: dict[str, tuple[str, str]] = {}
    for cls in reversed(chain):
        merged.update(TYPES[cls].props)
    return merged


@dataclass
class KInput:
    """An object read from a request: its resolved type, the properties sent, and the cleared."""

    type: str
    values: dict[str, Any] = field(default_factory=dict)
    nulls: set[str] = field(default_factory=set)

    def get(self, name: str, default: Any = None) -> Any:
        """Return a sent property or ``default``."""
        return self.values.get(name, default)


def resolve_type(raw: dict[str, Any], declared: str) -> str:
    """Pick the object's class: a subclass named by ``objectType``, else the declared one."""
    named = _TYPES_LOWER.get(str(raw.get("objectType", "")).lower())
    chosen = named if named is not None and is_subclass(named, declared) else declared
    if TYPES[chosen].abstract:
        raise KalturaApiException("OBJECT_TYPE_ABSTRACT", chosen)
    return chosen


def _cast(kind: str, value: Any, name: str, now: float) -> Any:
    if kind == "int":
        return coerce.to_int(value)
    if kind == "float":
        return coerce.to_float(value)
    if kind == "time":
        return coerce.to_time(value, now)
    if kind == "bool":
        return coerce.to_bool(value)
    if kind == "nbool":
        return coerce.to_enum(value, frozenset({-1, 0, 1}), name, "KalturaNullableBoolean")
    return coerce.to_str(value, name)


def read_object(raw: Any, declared: str, now: float) -> KInput:
    """Read a nested request value as an object of type ``declared`` (or a subclass)."""
    if not isinstance(raw, dict):
        raw = {}
    chosen = resolve_type(raw, declared)
    props = all_props(chosen)
    result = KInput(chosen)
    for key, value in raw.items():
        if key.endswith("__null") and key[:-6] in props:
            result.nulls.add(key[:-6])
        elif key in props and not isinstance(value, dict | list):
            result.values[key] = _cast(props[key][0], value, key, now)
    return result


def check_insert(obj: KInput) -> None:
    """Reject read-only properties on insert (``PROPERTY_VALIDATION_NOT_UPDATABLE``)."""
    props = all_props(obj.type)
    for name in obj.values:
        if props[name][1] == RO:
            raise KalturaApiException("PROPERTY_VALIDATION_NOT_UPDATABLE", f"{obj.type}::{name}")


def check_update(
    obj: KInput, current: dict[str, Any], always: frozenset[str] = frozenset()
) -> None:
    """Reject changes to read-only or insert-only properties, in declaration order (base class
    first). An unchanged value is fine, except for a time (the server compares the sent number
    with its stored date string, ``KalturaObject::validateForUpdate``), a property in ``always``
    and a cleared one (``prop__null``), which never compare equal."""
    props = all_props(obj.type)
    for name, (kind, access) in props.items():
        if access == RW or (name not in obj.values and name not in obj.nulls):
            continue
        same = name in obj.values and str(current.get(name, "")) == str(obj.values[name])
        if kind == "time" or name in always or not same:
            raise KalturaApiException("PROPERTY_VALIDATION_NOT_UPDATABLE", f"{obj.type}::{name}")
