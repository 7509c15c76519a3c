"""The bad-input table: each case, the error family it must end in, and words its message needs.

Families: a library case names the exception class it must raise (subclasses count); a CLI case
names its exit code (docs/cli.md). Every case must also leave the server as it was (no entry
created or lost, no upload token left open) unless ``creates`` says otherwise, and the CLI must
never show a traceback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kaltura_mm import Config, RetryPolicy, SecretKs, UploadOptions, UploadRequest
from kaltura_mm.errors import (
    AmbiguousCategoryError,
    ApiError,
    CategoryNotFoundError,
    ConfigError,
    FileChangedError,
    InvalidKsError,
    ResponseError,
    TransportError,
    UploadError,
)
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.flows.entries import delete_entries, detach_entries
from kaltura_mm.upload.one import upload_file
from reliability import media
from reliability.bad_input_world import Outcome, World, cli, from_cli, from_library
from reliability.cli_process import run_cli
from reliability.scripted_server import ScriptedServer, closed_port_url

FAST = RetryPolicy(attempts=3, initial_backoff=0.05, max_backoff=0.2)
BAD_INPUT, AUTH, NOT_FOUND, UNAVAILABLE, OK = "exit 2", "exit 4", "exit 5", "exit 6", "exit 0"


@dataclass(frozen=True)
class Case:
    """One row of the table: what is tried, where, and what must come of it."""

    id: str
    surface: str
    what: str
    expect: type[BaseException] | str
    words: tuple[str, ...]
    act: Callable[[World], Outcome]
    creates: int = 0

    @property
    def expected_family(self) -> str:
        """Return the expected family as shown in the table."""
        return self.expect if isinstance(self.expect, str) else self.expect.__name__


def _media(stage: World, name: str, size: int = 20_000) -> tuple[Path, Path]:
    folder = stage.folder(name)
    return folder, media.make_file(folder / f"{name}.mp4", size, seed=len(name))


# -- CLI: files and folders ---------------------------------------------------------------------


def cli_missing_file(stage: World) -> Outcome:
    folder = stage.folder("missing")
    return cli(stage, folder, ["upload", str(folder / "nope.mp4"), "-c", "Bad>Input"])


def cli_unreadable_file(stage: World) -> Outcome:
    folder, path = _media(stage, "unreadable")
    path.chmod(0)
    args = ["upload", str(path), "-c", "Bad>Input"]
    run = run_cli(args, stage.env(folder), timeout=60, cwd=folder, prefix=_without_root_reads())
    return from_cli(run)


def _without_root_reads() -> list[str]:
    """Return a prefix that takes root's power to read any file (mode 000 must mean unreadable)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return []
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps]


def cli_empty_file(stage: World) -> Outcome:
    folder = stage.folder("empty")
    (folder / "silence.mp4").write_bytes(b"")
    return cli(stage, folder, ["upload", str(folder / "silence.mp4"), "-c", "Bad>Input"])


def cli_no_media(stage: World) -> Outcome:
    folder = stage.folder("no-media")
    (folder / "lectures").mkdir()
    (folder / "lectures" / ".DS_Store").write_bytes(b"x")
    (folder / "lectures" / ".hidden").mkdir()
    (folder / "lectures" / ".hidden" / "a.mp4").write_bytes(b"x" * 100)
    return cli(stage, folder, ["upload", str(folder / "lectures"), "-c", "Bad>Input"])


def cli_unknown_category(stage: World) -> Outcome:
    folder, path = _media(stage, "unknown-category")
    return cli(stage, folder, ["upload", str(path), "-c", "Bad>Nope"])


def cli_ambiguous_category(stage: World) -> Outcome:
    folder, path = _media(stage, "ambiguous")
    return cli(stage, folder, ["upload", str(path), "-c", "Bio"])


def cli_chunk_size(stage: World) -> Outcome:
    folder, path = _media(stage, "chunk-size")
    return cli(stage, folder, ["upload", str(path), "-c", "Bad>Input", "--chunk-size", "10"])


# -- CLI: sessions and servers ------------------------------------------------------------------


def cli_garbage_ks(stage: World) -> Outcome:
    folder = stage.folder("garbage-ks")
    ks = "djJ8" + "A" * 80
    return cli(stage, folder, ["delete", stage.alice_entry, "--yes"], KALTURA_KS=ks)


def cli_expired_ks(stage: World) -> Outcome:
    folder = stage.folder("expired-ks")
    ks = stage.sb.ks(expiry=-60)
    return cli(stage, folder, ["delete", stage.alice_entry, "--yes"], KALTURA_KS=ks)


def cli_user_ks_delete(stage: World) -> Outcome:
    folder = stage.folder("user-ks")
    ks = stage.sb.ks(user_id="bob", admin=False)
    return cli(stage, folder, ["--json", "delete", stage.alice_entry, "--yes"], KALTURA_KS=ks)


def cli_wrong_partner(stage: World) -> Outcome:
    folder = stage.folder("wrong-partner")
    pid = str(stage.other_partner_id)
    return cli(stage, folder, ["list", "-c", "Bad>Input"], KALTURA_PARTNER_ID=pid)


def cli_remote_http(stage: World) -> Outcome:
    folder = stage.folder("remote-http")
    url = "http://www.kaltura.com"
    return cli(stage, folder, ["list"], KALTURA_SERVICE_URL=url)


def cli_no_credentials(stage: World) -> Outcome:
    folder = stage.folder("no-credentials")
    return cli(stage, folder, ["list"], KALTURA_ADMIN_SECRET=None)


def _against(stage: World, server: ScriptedServer, name: str, args: list[str]) -> Outcome:
    with server:
        outcome = cli(stage, stage.folder(name), args, KALTURA_SERVICE_URL=server.url)
    outcome.extra = f"{server.requests} requests"
    return outcome


def cli_malformed_json(stage: World) -> Outcome:
    server = ScriptedServer(200, b'{"objects": [{"id": "0_abc", "name": ')
    return _against(stage, server, "malformed-json", ["list"])


def cli_html_page(stage: World) -> Outcome:
    body = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    return _against(stage, ScriptedServer(200, body, "text/html"), "html", ["list"])


def cli_413(stage: World) -> Outcome:
    folder, path = _media(stage, "too-large")
    server = ScriptedServer(413, b"<html><h1>413 Request Entity Too Large</h1></html>", "text/html")
    with server:
        outcome = cli(
            stage, folder, ["upload", str(path), "-c", "1"], KALTURA_SERVICE_URL=server.url
        )
    outcome.extra = f"{server.requests} requests"
    return outcome


def cli_429_storm(stage: World) -> Outcome:
    server = ScriptedServer(429, b"Too Many Requests", "text/plain", Retry_After="0")
    # Three tries, not the default's ten: the default's backoff (about 55 s of it) ran into the
    # harness's 60 s kill under load; the bound itself is tested on a virtual clock (test_poll,
    # test_retries_every_layer), this case checks what the user is told.
    return _against(stage, server, "429", ["--retries", "2", "list"])


def cli_network_down(stage: World) -> Outcome:
    folder = stage.folder("network-down")
    return cli(stage, folder, ["list"], KALTURA_SERVICE_URL=closed_port_url())


def cli_unknown_entry(stage: World) -> Outcome:
    return cli(stage, stage.folder("unknown-entry"), ["get", "0_zzzzzzzz"])


def cli_where_without_filter(stage: World) -> Outcome:
    return cli(stage, stage.folder("where"), ["delete", "--where", "--yes"])


# -- CLI: manifests -----------------------------------------------------------------------------


def _manifest(stage: World, name: str, text: str, encoding: str) -> tuple[Path, Path]:
    folder, _ = _media(stage, name)
    manifest = folder / "manifest.csv"
    manifest.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return folder, manifest


def cli_manifest_bad_rows(stage: World) -> Outcome:
    text = "path,name\nbad-rows.mp4,Fine\nmissing.mp4,Gone\n,Empty\n"
    folder, manifest = _manifest(stage, "bad-rows", text, "utf-8")
    return cli(stage, folder, ["upload", str(manifest), "-c", "Bad>Input"])


def cli_manifest_bad_header(stage: World) -> Outcome:
    text = "file,title\nbad-header.mp4,Fine\n"
    folder, manifest = _manifest(stage, "bad-header", text, "utf-8")
    return cli(stage, folder, ["upload", str(manifest), "-c", "Bad>Input"])


def cli_manifest_excel_bom(stage: World) -> Outcome:
    text = "path,name,tags\nexcel-bom.mp4,Cours d'été,été\n"
    folder, manifest = _manifest(stage, "excel-bom", text, "utf-8-sig")
    return cli(stage, folder, ["--json", "upload", str(manifest), "-c", "Bad>Input"])


def cli_manifest_excel_cp1252(stage: World) -> Outcome:
    text = "path,name\nexcel-ansi.mp4,Cours d'été\n"
    folder, manifest = _manifest(stage, "excel-ansi", text, "cp1252")
    return cli(stage, folder, ["upload", str(manifest), "-c", "Bad>Input"])


def cli_manifest_excel_utf16(stage: World) -> Outcome:
    text = "path\tname\nexcel-utf16.mp4\tCours\n"
    folder, manifest = _manifest(stage, "excel-utf16", text, "utf-16")
    return cli(stage, folder, ["upload", str(manifest), "-c", "Bad>Input"])


# -- library ------------------------------------------------------------------------------------


def lib_remote_http(stage: World) -> Outcome:
    return from_library(lambda: Config(service_url="http://kaltura.example.com", partner_id=1))


def lib_bad_partner(stage: World) -> Outcome:
    return from_library(lambda: Config(partner_id="my-account"))


def lib_missing_file(stage: World) -> Outcome:
    folder = stage.folder("lib-missing")
    request = UploadRequest(path=folder / "nope.mp4", category_ids=(stage.category_id,))
    return from_library(lambda: stage.client().run(upload_file(request)))


def lib_empty_file(stage: World) -> Outcome:
    folder = stage.folder("lib-empty")
    (folder / "empty.wav").write_bytes(b"")
    request = UploadRequest(path=folder / "empty.wav", category_ids=(stage.category_id,))
    return from_library(lambda: stage.client().run(upload_file(request)))


def lib_directory(stage: World) -> Outcome:
    folder = stage.folder("lib-directory")
    request = UploadRequest(path=folder, category_ids=(stage.category_id,))
    return from_library(lambda: stage.client().run(upload_file(request)))


def lib_unknown_category(stage: World) -> Outcome:
    _, path = _media(stage, "lib-unknown-category")
    request = UploadRequest(path=path, category_ids=(987654,))
    return from_library(lambda: stage.client().run(upload_file(request)))


def lib_unknown_category_path(stage: World) -> Outcome:
    return from_library(lambda: stage.client().run(resolve_category("Bad>Nope")))


def lib_ambiguous_category(stage: World) -> Outcome:
    return from_library(lambda: stage.client().run(resolve_category("Bio")))


def lib_garbage_ks(stage: World) -> Outcome:
    client = stage.client(ks="djJ8" + "B" * 80, admin_secret=None)
    return from_library(lambda: client.run(detach_entries([stage.alice_entry], stage.category_id)))


def lib_expired_ks(stage: World) -> Outcome:
    client = stage.client(ks=stage.sb.ks(expiry=-60), admin_secret=None)
    return from_library(lambda: client.run(detach_entries([stage.alice_entry], stage.category_id)))


def lib_user_ks_delete(stage: World) -> Outcome:
    client = stage.client(ks=stage.sb.ks(user_id="bob", admin=False), admin_secret=None)

    def act() -> None:
        (outcome,) = client.run(delete_entries([stage.alice_entry]))
        if outcome.error is not None:
            raise outcome.error

    return from_library(act)


def lib_wrong_secret(stage: World) -> Outcome:
    client = stage.client(admin_secret="0" * 32)
    return from_library(lambda: client.run(resolve_category(stage.category_id)))


def lib_network_down(stage: World) -> Outcome:
    client = stage.client(service_url=closed_port_url())
    return from_library(lambda: client.run(resolve_category(stage.category_id)))


def lib_malformed_json(stage: World) -> Outcome:
    with ScriptedServer(200, b'{"objectType": "KalturaCategory", "id": ') as server:
        client = stage.client(service_url=server.url)
        return from_library(lambda: client.run(resolve_category(stage.category_id)))


def lib_html_page(stage: World) -> Outcome:
    body = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    with ScriptedServer(503, body, "text/html") as server:
        client = stage.client(service_url=server.url)
        return from_library(lambda: client.run(resolve_category(stage.category_id)))


def lib_chunk_size(stage: World) -> Outcome:
    return from_library(lambda: UploadOptions(chunk_size=10))


def lib_empty_secret(stage: World) -> Outcome:
    return from_library(lambda: SecretKs(stage.sb.partner_id, ""))


def lib_file_changed(stage: World) -> Outcome:
    """Rewrite the file after its first chunk is confirmed: the upload must stop, not mix."""
    _, path = _media(stage, "lib-changed", size=650_000)
    request = UploadRequest(path=path, category_ids=(stage.category_id,))
    options = UploadOptions(chunk_size=100_000, concurrency=1)

    def on_state(state: object) -> None:
        if getattr(state, "bytes_confirmed", 0) and path.read_bytes()[:1] != b"!":
            path.write_bytes(b"!" + os.urandom(650_000))

    return from_library(lambda: stage.client().run(upload_file(request, options, None, on_state)))


def lib_entry_deleted(stage: World) -> Outcome:
    """Another admin deletes the entry while its chunks are being sent."""
    _, path = _media(stage, "lib-deleted", size=650_000)
    request = UploadRequest(path=path, category_ids=(stage.category_id,))
    options = UploadOptions(chunk_size=100_000, concurrency=1)
    other = stage.client()
    deleted: list[str] = []

    def on_state(state: object) -> None:
        entry_id = getattr(state, "entry_id", None)
        if entry_id and getattr(state, "bytes_confirmed", 0) and not deleted:
            deleted.append(entry_id)
            other.run(delete_entries([entry_id]))

    outcome = from_library(
        lambda: stage.client().run(upload_file(request, options, None, on_state))
    )
    outcome.extra = f"deleted {deleted[0]} mid-upload" if deleted else "never deleted"
    return outcome


CASES: tuple[Case, ...] = (
    Case(
        "cli-missing-file",
        "cli",
        "upload a file that does not exist",
        NOT_FOUND,
        ("no such file",),
        cli_missing_file,
    ),
    Case(
        "cli-unreadable-file",
        "cli",
        "upload a file without read permission",
        BAD_INPUT,
        ("permission",),
        cli_unreadable_file,
    ),
    # An empty file is skipped with a notice, not a failure: a cron job over a folder where a file
    # is still being written must not fail on every run (issue 17).
    Case("cli-empty-file", "cli", "upload a 0-byte file", OK, ("empty",), cli_empty_file),
    Case(
        "cli-no-media",
        "cli",
        "upload a folder holding only hidden files",
        BAD_INPUT,
        ("no files",),
        cli_no_media,
    ),
    Case(
        "cli-unknown-category",
        "cli",
        "upload into a category path that does not exist",
        NOT_FOUND,
        ("bad>nope",),
        cli_unknown_category,
    ),
    Case(
        "cli-ambiguous-category",
        "cli",
        "upload into a category name two categories share",
        BAD_INPUT,
        ("2 categories", "full path"),
        cli_ambiguous_category,
    ),
    Case(
        "cli-chunk-size",
        "cli",
        "--chunk-size 10 (below Kaltura's minimum)",
        BAD_INPUT,
        ("chunk",),
        cli_chunk_size,
    ),
    Case(
        "cli-garbage-ks",
        "cli",
        "delete with an unparseable KS",
        AUTH,
        ("ks was refused",),
        cli_garbage_ks,
    ),
    Case("cli-expired-ks", "cli", "delete with an expired KS", AUTH, ("expired",), cli_expired_ks),
    Case(
        "cli-user-ks-delete",
        "cli",
        "delete another user's entry with a USER KS",
        AUTH,
        ("another user",),
        cli_user_ks_delete,
    ),
    Case(
        "cli-wrong-partner",
        "cli",
        "partner id of another account with this admin secret",
        AUTH,
        ("not that partner's", "partner id"),
        cli_wrong_partner,
    ),
    Case(
        "cli-remote-http",
        "cli",
        "http:// to a remote host",
        BAD_INPUT,
        ("plain http", "https"),
        cli_remote_http,
    ),
    Case(
        "cli-no-credentials",
        "cli",
        "no admin secret and no KS",
        AUTH,
        ("no credentials",),
        cli_no_credentials,
    ),
    Case(
        "cli-malformed-json",
        "cli",
        "the server answers truncated JSON",
        UNAVAILABLE,
        ("not a kaltura answer",),
        cli_malformed_json,
    ),
    Case(
        "cli-html-page",
        "cli",
        "the server answers an HTML error page (HTTP 200)",
        UNAVAILABLE,
        ("not a kaltura answer", "html"),
        cli_html_page,
    ),
    Case(
        "cli-413",
        "cli",
        "the server answers 413 Request Entity Too Large",
        UNAVAILABLE,
        ("413", "chunk-size"),
        cli_413,
    ),
    Case(
        "cli-429-storm",
        "cli",
        "every answer is 429 Too Many Requests",
        UNAVAILABLE,
        ("429", "concurrency"),
        cli_429_storm,
    ),
    Case(
        "cli-network-down",
        "cli",
        "nothing listens at the service URL",
        UNAVAILABLE,
        ("no answer",),
        cli_network_down,
    ),
    Case(
        "cli-unknown-entry",
        "cli",
        "get an entry id that does not exist",
        NOT_FOUND,
        ("0_zzzzzzzz",),
        cli_unknown_entry,
    ),
    Case(
        "cli-where-no-filter",
        "cli",
        "delete --where with no filter",
        BAD_INPUT,
        ("filter",),
        cli_where_without_filter,
    ),
    Case(
        "cli-manifest-bad-rows",
        "cli",
        "CSV manifest with a missing file and an empty path",
        NOT_FOUND,
        ("line 3",),
        cli_manifest_bad_rows,
    ),
    Case(
        "cli-manifest-bad-header",
        "cli",
        "CSV manifest with unknown columns",
        BAD_INPUT,
        ("unknown columns",),
        cli_manifest_bad_header,
    ),
    Case(
        "cli-manifest-excel-bom",
        "cli",
        "CSV manifest saved by Excel as UTF-8 (BOM, CRLF, accents)",
        OK,
        (),
        cli_manifest_excel_bom,
        creates=1,
    ),
    Case(
        "cli-manifest-excel-ansi",
        "cli",
        "CSV manifest saved by Excel as Windows-1252",
        BAD_INPUT,
        ("utf-8",),
        cli_manifest_excel_cp1252,
    ),
    Case(
        "cli-manifest-excel-utf16",
        "cli",
        "CSV manifest saved by Excel as Unicode text (UTF-16)",
        BAD_INPUT,
        ("utf-8",),
        cli_manifest_excel_utf16,
    ),
    Case(
        "lib-remote-http",
        "library",
        "Config with http:// to a remote host",
        ConfigError,
        ("plain http",),
        lib_remote_http,
    ),
    Case(
        "lib-bad-partner",
        "library",
        "Config with a partner id that is not a number",
        ConfigError,
        ("partner_id",),
        lib_bad_partner,
    ),
    Case(
        "lib-missing-file",
        "library",
        "upload_file of a missing path",
        ConfigError,
        ("does not exist",),
        lib_missing_file,
    ),
    Case(
        "lib-empty-file",
        "library",
        "upload_file of a 0-byte file",
        ConfigError,
        ("empty",),
        lib_empty_file,
    ),
    Case(
        "lib-directory",
        "library",
        "upload_file of a directory",
        ConfigError,
        ("directory",),
        lib_directory,
    ),
    Case(
        "lib-unknown-category",
        "library",
        "upload_file into a category id that does not exist",
        ConfigError,
        ("987654",),
        lib_unknown_category,
    ),
    Case(
        "lib-unknown-category-path",
        "library",
        "resolve a category path that does not exist",
        CategoryNotFoundError,
        ("bad>nope",),
        lib_unknown_category_path,
    ),
    Case(
        "lib-ambiguous-category",
        "library",
        "resolve a name two categories share",
        AmbiguousCategoryError,
        ("full path",),
        lib_ambiguous_category,
    ),
    Case(
        "lib-garbage-ks",
        "library",
        "detach with an unparseable KS",
        InvalidKsError,
        ("invalid_ks",),
        lib_garbage_ks,
    ),
    Case(
        "lib-expired-ks",
        "library",
        "detach with an expired KS",
        InvalidKsError,
        ("expired",),
        lib_expired_ks,
    ),
    Case(
        "lib-user-ks-delete",
        "library",
        "delete another user's entry with a USER KS",
        ApiError,
        (),
        lib_user_ks_delete,
    ),
    Case(
        "lib-wrong-secret",
        "library",
        "a wrong admin secret",
        InvalidKsError,
        ("invalid_ks",),
        lib_wrong_secret,
    ),
    Case(
        "lib-network-down",
        "library",
        "nothing listens at the service URL",
        TransportError,
        ("connect",),
        lib_network_down,
    ),
    Case(
        "lib-malformed-json",
        "library",
        "the server answers truncated JSON",
        ResponseError,
        ("json",),
        lib_malformed_json,
    ),
    Case(
        "lib-html-page",
        "library",
        "the server answers a 503 HTML page",
        ResponseError,
        ("503",),
        lib_html_page,
    ),
    Case(
        "lib-chunk-size",
        "library",
        "UploadOptions(chunk_size=10)",
        ValueError,
        ("chunk",),
        lib_chunk_size,
    ),
    Case(
        "lib-empty-secret",
        "library",
        "SecretKs with an empty admin secret",
        ConfigError,
        ("empty",),
        lib_empty_secret,
    ),
    Case(
        "lib-file-changed",
        "library",
        "the file is rewritten after its first chunk",
        FileChangedError,
        ("changed",),
        lib_file_changed,
    ),
    Case(
        "lib-entry-deleted",
        "library",
        "another admin deletes the entry mid-upload",
        UploadError,
        ("not found",),
        lib_entry_deleted,
    ),
)
