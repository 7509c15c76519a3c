"""Drive a sandbox with the official KalturaApiClient (XML). Runs inside the throwaway venv.

Usage: python official_script.py SERVICE_URL PARTNER_ID ADMIN_SECRET CATEGORY_ID WORKDIR
Prints one JSON object describing what the official client saw.
"""

import hashlib
import json
import os
import sys

import requests
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaBaseEntryFilter,
    KalturaCategory,
    KalturaCategoryEntry,
    KalturaEntryStatus,
    KalturaFilterPager,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaSessionType,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
)


def error_code(call):
    try:
        call()
    except KalturaException as error:
        return error.code
    return None


def main():
    service_url, partner_id, secret, category_id, workdir = sys.argv[1:6]
    partner_id, category_id = int(partner_id), int(category_id)
    config = KalturaConfiguration()
    config.serviceUrl = service_url
    client = KalturaClient(config)
    ks = client.session.start(secret, "widget-user", KalturaSessionType.ADMIN, partner_id)
    client.setKs(ks)
    out = {"ks_prefix": ks[:4]}

    # The widget's multiRequest: add entry, add token, attach it, link to the category.
    client.startMultiRequest()
    entry = KalturaMediaEntry()
    entry.name = "Widget upload ☃"
    entry.mediaType = KalturaMediaType.VIDEO
    added = client.baseEntry.add(entry)
    token_request = KalturaUploadToken()
    token_request.fileName = "lecture.mp4"
    token = client.uploadToken.add(token_request)
    resource = KalturaUploadedFileTokenResource()
    resource.token = token.id
    client.baseEntry.updateContent(added.id, resource)
    link = KalturaCategoryEntry()
    link.entryId = added.id
    link.categoryId = category_id
    client.categoryEntry.add(link)
    results = client.doMultiRequest()
    entry_id, token_id = results[0].id, results[1].id
    out["multi_types"] = [type(r).__name__ for r in results]
    out["status_after_attach"] = results[2].status.getValue()
    out["link_entry_matches"] = results[3].entryId == entry_id

    # Chunked upload: first chunk, then the final one.
    data = os.urandom(700_000)
    path = os.path.join(workdir, "lecture.mp4")
    first, rest = path + ".0", path + ".1"
    with open(first, "wb") as f:
        f.write(data[:400_000])
    with open(rest, "wb") as f:
        f.write(data[400_000:])
    with open(first, "rb") as f:
        part = client.uploadToken.upload(token_id, f, False, False, 0)
    out["after_first_chunk"] = [part.status.getValue(), part.uploadedFileSize]
    with open(rest, "rb") as f:
        done = client.uploadToken.upload(token_id, f, True, True, 400_000)
    out["after_final_chunk"] = [done.status.getValue(), done.uploadedFileSize]

    # List the category until the entry is READY.
    entry_filter = KalturaBaseEntryFilter()
    entry_filter.categoriesIdsMatchOr = str(category_id)
    entry_filter.statusIn = "0,1,2"
    pager = KalturaFilterPager()
    pager.pageSize = 50
    listed = client.baseEntry.list(entry_filter, pager)
    out["listed_ids"] = [e.id for e in listed.objects]
    out["listed_total"] = listed.totalCount
    out["listed_name"] = listed.objects[0].name if listed.objects else None
    got = client.baseEntry.get(entry_id)
    out["entry_status_is_known"] = got.status.getValue() in (
        KalturaEntryStatus.PRECONVERT,
        KalturaEntryStatus.READY,
    )
    out["download_url"] = got.downloadUrl
    out["download_sha256"] = hashlib.sha256(
        requests.get(got.downloadUrl, timeout=30).content
    ).hexdigest()
    out["entry_id"] = entry_id

    # Replace the content: a temporary entry takes it; the answer is a KalturaBaseEntry.
    token_request = KalturaUploadToken()
    token_request.fileName = "lecture-v2.mp4"
    second = client.uploadToken.add(token_request)
    with open(first, "rb") as f:
        client.uploadToken.upload(second.id, f, False, True, 0)
    resource = KalturaUploadedFileTokenResource()
    resource.token = second.id
    replaced = client.baseEntry.updateContent(entry_id, resource)
    out["replacement"] = [
        type(replaced).__name__,
        replaced.replacementStatus.getValue(),
        bool(replaced.replacingEntryId),
    ]

    # A widget session and a category rename, read back by the official types.
    widget = client.session.startWidgetSession(f"_{partner_id}")
    out["widget"] = [type(widget).__name__, widget.userId, widget.ks[:4]]
    rename = KalturaCategory()
    rename.name = "Renamed"
    renamed = client.category.update(category_id, rename)
    out["renamed"] = [renamed.fullName, renamed.owner, renamed.directSubCategoriesCount]

    # Detach, delete, and the errors the official client raises.
    client.categoryEntry.delete(entry_id, category_id)
    out["detach_again"] = error_code(lambda: client.categoryEntry.delete(entry_id, category_id))
    client.baseEntry.delete(entry_id)
    out["get_deleted"] = error_code(lambda: client.baseEntry.get(entry_id))
    client.setKs("garbage")
    out["bad_ks"] = error_code(lambda: client.baseEntry.list())
    print(json.dumps(out))


main()
