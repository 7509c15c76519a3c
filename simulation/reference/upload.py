"""Upload one file, crash-safe, as the spec says it can be done.

The journal (a dict that survives a kill, like a state file) records what was created. Every
step first asks the server what it holds, then does only what is missing:
1. token: the one in the journal, else one found by its file name (``uploadToken.list``
   ``fileNameEqual`` reads the store: exact), else a new one; extra tokens are deleted;
2. bytes: the first chunk alone (``resume=false``), the middle ones in parallel, then the final;
   ``FULL_UPLOAD``/``CLOSED`` is the proof of completion (never ``uploadedFileSize``);
   ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE`` means: send the middle chunks again, then the final;
3. entry: the one in the journal, else, when an add may have run, the oldest found by
   ``referenceIdEqual`` after waiting out the index lag (the others deleted), else a new one;
4. attach the complete token, wait for READY, link the category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulation.reference.conn import ApiFailure, Conn, Uncertain

LAG_BOUND = 330.0  # the index lag knob's maximum (300 s) and a margin
ALL_STATUSES = "-2,-1,0,1,2,4,5,6,7"
PARALLEL = 4
COMPLETE = (2, 3)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to upload: its name, bytes, chunk size and (for the client) head/tail size."""

    name: str
    data: bytes
    chunk_size: int
    edge_size: int = 256 * 1024

    @property
    def reference_id(self) -> str:
        """Return the referenceId the reference driver gives this file's entry."""
        return f"sim:{self.name}"

    def chunks(self) -> list[tuple[int, bytes]]:
        """Return (offset, bytes) of every chunk; the last one may be short (or empty)."""
        size = self.chunk_size
        pieces = [(o, self.data[o : o + size]) for o in range(0, len(self.data), size)]
        return pieces or [(0, b"")]


def upload(conn: Conn, source: SourceFile, journal: dict[str, Any], category: int | None) -> str:
    """Upload ``source`` (or finish a half-done upload); return its READY entry's id."""
    while True:
        token = _token(conn, source, journal)
        if token["status"] not in COMPLETE:
            _send_bytes(conn, source, token)
        entry = _entry(conn, source, journal)
        if entry["status"] == 7 and not _attach(conn, entry["id"], journal["token"]):
            journal.pop("token", None)  # the token went to another entry: start a new one
            continue
        _wait_ready(conn, entry["id"])
        if category is not None:
            _link(conn, entry["id"], category)
        journal["done"] = True
        return str(entry["id"])


def _token(conn: Conn, source: SourceFile, journal: dict[str, Any]) -> dict[str, Any]:
    if "token" in journal:
        try:
            return dict(conn.call("uploadtoken", "get", {"uploadTokenId": journal["token"]}))
        except ApiFailure:
            journal.pop("token")
    while True:
        found = _tokens_named(conn, source.name)
        if found:
            keep, *extra = found
            for token in extra:
                _delete_token(conn, token["id"])
            journal["token"] = keep["id"]
            return keep
        params = {"uploadToken": {"fileName": source.name, "fileSize": len(source.data)}}
        try:
            token = conn.call("uploadtoken", "add", params, safe=False)
        except Uncertain:
            continue  # it may exist: look again
        journal["token"] = token["id"]
        return dict(token)


def _tokens_named(conn: Conn, name: str) -> list[dict[str, Any]]:
    filt = {"fileNameEqual": name, "orderBy": "+createdAt"}
    page = conn.call("uploadtoken", "list", {"filter": filt, "pager": {"pageSize": 500}})
    return list(page["objects"])


def _delete_token(conn: Conn, token_id: str) -> None:
    try:
        conn.call("uploadtoken", "delete", {"uploadTokenId": token_id})
    except ApiFailure as failure:
        if failure.code != "UPLOAD_TOKEN_NOT_FOUND":
            raise


def _part(source: SourceFile, token_id: str, offset: int, data: bytes, **flags: Any) -> Any:
    params = {"uploadTokenId": token_id, "resumeAt": offset, **flags}
    return params, {"fileData": (source.name, data)}


def _send_bytes(conn: Conn, source: SourceFile, token: dict[str, Any]) -> None:
    """Fill the token; the final goes after the middle chunks, or (by seed) among the last
    of them: the server waits up to 45 s for the gaps."""
    pieces = source.chunks()
    *middle, final = pieces if len(pieces) > 1 else [*pieces, (len(source.data), b"")]
    if token["status"] == 0:
        params, files = _part(source, token["id"], 0, middle[0][1], resume=False, finalChunk=False)
        conn.call("uploadtoken", "upload", params, files)
        middle = middle[1:]
    eager = conn.rng.random() < 0.5
    for _ in range(8):
        if _send_parallel(conn, source, token["id"], middle, final if eager else None):
            return
        if not eager and _send_final(conn, source, token["id"], final):
            return
        middle = pieces[:-1] if len(pieces) > 1 else []
    raise Uncertain("the token never completed")


def _send_final(conn: Conn, source: SourceFile, token_id: str, final: tuple[int, bytes]) -> bool:
    """Send the final chunk; return True when the token is complete."""
    params, files = _part(source, token_id, final[0], final[1], resume=True, finalChunk=True)
    return _completed(conn, conn.send("uploadtoken", "upload", params, files))


def _completed(conn: Conn, handle: Any) -> bool:
    try:
        return bool(conn.receive(handle)["status"] in COMPLETE)
    except Uncertain:
        return False
    except ApiFailure as failure:
        if failure.code == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD":
            return True  # completed already (a resent final that had run)
        if failure.code in ("UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE", "ACTION_BLOCKED"):
            return False
        raise


def _send_parallel(
    conn: Conn, source: SourceFile, token_id: str, parts: list[Any], final: Any
) -> bool:
    """Send ``parts`` a few at a time until each got an answer, ``final`` (if given) with the
    last few; return True when the token is known complete."""
    waiting = list(parts)
    while waiting or final is not None:
        batch, waiting = waiting[:PARALLEL], waiting[PARALLEL:]
        handles = [(piece, _send_part(conn, source, token_id, piece)) for piece in batch]
        final_handle = None
        if not waiting and final is not None:
            final_handle = _send_part(conn, source, token_id, final, final=True)
        retry = _collect(conn, handles)
        if retry is None:
            return True
        waiting += retry
        if final_handle is not None:
            if _completed(conn, final_handle):
                return True
            final = None if not waiting else final  # resend it with the retried parts
            if final is None:
                return False
        if waiting:
            conn.sleep(1.0)
    return False


def _send_part(
    conn: Conn, source: SourceFile, token_id: str, piece: tuple[int, bytes], final: bool = False
) -> Any:
    params, files = _part(source, token_id, piece[0], piece[1], resume=True, finalChunk=final)
    return conn.send("uploadtoken", "upload", params, files)


def _collect(conn: Conn, handles: list[Any]) -> list[Any] | None:
    """Return the parts to send again, or None when the token turned out complete."""
    retry = []
    for piece, handle in handles:
        try:
            conn.receive(handle)
        except Uncertain:
            retry.append(piece)  # send it again: a duplicate chunk is harmless
        except ApiFailure as failure:
            if failure.code == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD":
                return None
            if failure.code != "ACTION_BLOCKED":
                raise
            retry.append(piece)
    return retry


def _entry(conn: Conn, source: SourceFile, journal: dict[str, Any]) -> dict[str, Any]:
    if "entry" in journal:
        try:
            return dict(conn.call("baseentry", "get", {"entryId": journal["entry"]}))
        except ApiFailure:
            journal.pop("entry")
    while True:
        if journal.get("entry_add_sent"):
            conn.sleep(LAG_BOUND)
            found = _entries_with_reference(conn, source.reference_id)
            if found:
                keep, *extra = found
                for entry in extra:
                    conn.call("baseentry", "delete", {"entryId": entry["id"]})
                journal["entry"] = keep["id"]
                return keep
        journal["entry_add_sent"] = True
        entry = {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": source.name}
        entry["referenceId"] = source.reference_id
        try:
            created = conn.call("baseentry", "add", {"entry": entry}, safe=False)
        except Uncertain:
            continue
        journal["entry"] = created["id"]
        return dict(created)


def _entries_with_reference(conn: Conn, reference_id: str) -> list[dict[str, Any]]:
    filt = {"referenceIdEqual": reference_id, "statusIn": ALL_STATUSES, "orderBy": "+createdAt"}
    page = conn.call("baseentry", "list", {"filter": filt, "pager": {"pageSize": 500}})
    return sorted(page["objects"], key=lambda e: (e["createdAt"], e["id"]))


def _attach(conn: Conn, entry_id: str, token_id: str) -> bool:
    """Attach the token; return False when it cannot be (it went elsewhere)."""
    token = conn.call("uploadtoken", "get", {"uploadTokenId": token_id})
    if token["status"] != 2:
        return False
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token_id}
    try:
        conn.call("baseentry", "updateContent", {"entryId": entry_id, "resource": resource})
    except ApiFailure as failure:
        if failure.code != "FEATURE_FORBIDDEN":  # it has content: an earlier attach ran
            raise
    return True


def _wait_ready(conn: Conn, entry_id: str) -> None:
    while conn.call("baseentry", "get", {"entryId": entry_id})["status"] != 2:
        conn.sleep(15.0)


def _link(conn: Conn, entry_id: str, category: int) -> None:
    link = {"categoryEntry": {"entryId": entry_id, "categoryId": category}}
    try:
        conn.call("categoryentry", "add", link)
    except ApiFailure as failure:
        if failure.code != "CATEGORY_ENTRY_ALREADY_EXISTS":
            raise
