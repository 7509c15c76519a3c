"""Secret canary: a recognisable admin secret and the KS made from it, through every command.

Every CLI command runs at debug level (``-v``) with the canary secret, then with the canary KS,
then with KS the server refuses (a forged one it echoes back, an expired one); the library runs
with debug logging captured and records a cassette. The canary secret, the canary KS (and pieces
of it), and any KS at all (``djJ8...``; the CLI makes its own from the secret) are then searched
for in stdout, stderr, logs, reports, journals, upload states, exception texts and the cassette.
Only ``ks generate`` may print a KS: the one it was asked to make.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

from kaltura_mm import Client, Config, RetryPolicy
from kaltura_mm.enums import SessionType
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.flows.listing import EntryQuery, list_entries
from kaltura_mm.ks import generate_v2
from kaltura_mm.recording import cassette
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from reliability import media
from reliability.cli_process import CliRun, cli_env, run_cli
from reliability.harness import Context, Verdict

NAME = "secret_canary"
TITLE = "Secret canary"
ANY_KS = re.compile(r"djJ8[A-Za-z0-9_\-+/=]{24,}")


def needles(secret: str, ks: str) -> dict[str, str]:
    """Return what must never be found: the secret, the KS, its other alphabet and its pieces."""
    found = {"canary admin secret": secret, "canary KS": ks}
    found["canary KS (standard base64)"] = ks.replace("-", "+").replace("_", "/")
    found["canary KS without padding"] = ks.rstrip("=")
    # 20-character pieces past the prefix every KS of this partner shares ("djJ8" + partner)
    for index, start in enumerate(range(16, len(ks) - 20, 20)):
        found[f"canary KS piece {index + 1}"] = ks[start : start + 20]
    return found


def run(ctx: Context) -> Verdict:
    """Run every command with the canary and search every output for it."""
    verdict = Verdict(NAME, TITLE)
    scratch = ctx.scratch(NAME)
    canary = "CANARY-admin-secret-" + secrets.token_hex(8)
    texts: dict[str, str] = {}
    with Sandbox(transcode_delay=0.05, final_chunk_wait=3) as sb:
        sb.core.store.execute(
            "UPDATE partners SET admin_secret = ? WHERE id = ?", (canary, sb.partner_id)
        )
        ks = generate_v2(sb.partner_id, canary, session_type=SessionType.ADMIN, expiry=3600)
        category = sb.create_category("Canary>Lectures")
        files = media.make_files(scratch / "files", 3, ctx.seed, large_share=0.5, prefix="canary")
        runs = _cli_runs(sb, scratch, canary, ks, files)
        texts.update({f"`kaltura-mm {' '.join(r.argv)}` stdout": r.out for r in runs})
        texts.update({f"`kaltura-mm {' '.join(r.argv)}` stderr": r.err for r in runs})
        texts.update(_library_texts(sb, scratch, canary, ks, category, files[0]))
    texts.update(_files_under(scratch / "state", "state dir"))
    texts.update(_files_under(scratch / "reports", "report"))
    generated = [r for r in runs if "generate" in r.argv]
    _judge(verdict, texts, needles(canary, ks), generated)
    verdict.tried = (
        f"{len(runs)} CLI runs at debug level (every command: upload with report, list, get, "
        "categories, move, detach, delete, ks generate/inspect; admin secret, KS, forged KS, "
        "expired KS, wrong partner) and the library at DEBUG logging with a recorded cassette; "
        f"searched {len(texts)} outputs for the canary secret, its KS and any KS"
    )
    verdict.figures = {"cli_runs": len(runs), "outputs_searched": len(texts)}
    verdict.figures["bytes_searched"] = sum(len(t) for t in texts.values())
    return verdict


def _cli_runs(sb: Sandbox, scratch: Path, canary: str, ks: str, files: list[Path]) -> list[CliRun]:
    with_secret = cli_env(scratch, sb.service_url, sb.partner_id, admin_secret=canary)
    with_ks = cli_env(scratch, sb.service_url, ks=ks)
    forged = generate_v2(sb.partner_id, canary + "-forged", session_type=SessionType.ADMIN)
    expired = generate_v2(sb.partner_id, canary, session_type=SessionType.ADMIN, now=0)
    (scratch / "reports").mkdir(exist_ok=True)
    report = str(scratch / "reports" / "upload.json")
    first = run_cli(
        [
            "-v",
            "--json",
            "upload",
            str(files[0]),
            str(files[1]),
            "-c",
            "Canary>Lectures",
            "--chunk-size",
            "100KB",
            "--report",
            report,
        ],
        with_secret,
    )
    ids = [r["entry_id"] for r in first.json_lines() if r.get("entry_id")]
    entry = ids[0] if ids else "0_missing"
    plan: list[tuple[list[str], dict[str, str]]] = [
        (["-v", "list", "-c", "Canary>Lectures", "--any-status"], with_secret),
        (["-v", "--json", "get", *ids], with_secret),
        (["-v", "categories", "--tree"], with_secret),
        (["-v", "move", entry, "-c", "Canary>Lectures", "--to", "Canary", "--yes"], with_secret),
        (["-v", "detach", entry, "-c", "Canary", "--yes"], with_secret),
        (["-v", "ks", "generate", "--type", "admin"], with_secret),
        (["-v", "ks", "inspect"], with_ks),
        (["-v", "list", "--any-status"], with_ks),
        (
            [
                "-v",
                "upload",
                str(files[2]),
                "-c",
                "Canary>Lectures",
                "--report",
                str(scratch / "reports" / "upload.csv"),
            ],
            with_ks,
        ),
        (["-v", "delete", *ids, "--yes"], with_ks),
        (["-v", "list"], {**with_ks, "KALTURA_KS": forged}),
        (["-v", "--json", "delete", entry, "--yes"], {**with_ks, "KALTURA_KS": forged}),
        (["-v", "list"], {**with_ks, "KALTURA_KS": expired}),
        (["-v", "list"], {**with_secret, "KALTURA_PARTNER_ID": str(sb.partner_id + 1)}),
    ]
    sb.create_category("Canary")
    return [first, *(run_cli(args, env, timeout=120) for args, env in plan)]


def _library_texts(
    sb: Sandbox, scratch: Path, canary: str, ks: str, category: int, file: Path
) -> dict[str, str]:
    log_path = scratch / "library-debug.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    texts: dict[str, str] = {}
    fast = RetryPolicy(attempts=2, initial_backoff=0.05)
    config = Config(
        service_url=sb.service_url, partner_id=sb.partner_id, admin_secret=canary, retry=fast
    )
    tape = scratch / "cassettes" / "canary.yaml"
    try:
        with Client(config) as client, cassette(tape, partner_id=sb.partner_id, record=True):
            texts["repr(Client), repr(Config)"] = f"{client!r} {client.config!r}"
            client.run(resolve_category(category))
            request = UploadRequest(path=file, category_ids=(category,), name="canary-library")
            options = UploadOptions(chunk_size=100_000)
            result = client.run(upload_file(request, options))
            list(client.iterate(list_entries(EntryQuery(category_id=category))))
            client.run(delete_entries([result.entry_id]))
        for label, bad in (("forged KS", ks[:-8] + "AAAAAAA="), ("canary KS, wrong partner", ks)):
            other = sb.partner_id + 7 if label.endswith("partner") else sb.partner_id
            try:
                with Client(
                    service_url=sb.service_url, partner_id=other, ks=bad, retry=fast
                ) as client:
                    client.run(resolve_category(category))
            except Exception as exc:
                texts[f"exception text ({label})"] = f"{exc!s} {exc!r} {exc.__cause__!r}"
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    texts["library DEBUG log"] = log_path.read_text(encoding="utf-8")
    texts["recorded cassette"] = tape.read_text(encoding="utf-8") if tape.exists() else ""
    return texts


def _files_under(folder: Path, label: str) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        f"{label} {p.relative_to(folder)}": p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _judge(
    verdict: Verdict, texts: dict[str, str], secrets_: dict[str, str], generated: list[CliRun]
) -> None:
    leaks = [
        f"{what} in {where}"
        for where, text in texts.items()
        for what, needle in secrets_.items()
        if needle in text
    ]
    allowed = {r.out.strip() for r in generated}
    stray = [
        f"a KS in {where}"
        for where, text in texts.items()
        if any(m.group() not in allowed for m in ANY_KS.finditer(text))
        and not ("ks generate" in where and where.endswith("stdout"))
    ]
    verdict.check("outputs were searched", len(texts) > 20, f"{len(texts)} outputs")
    verdict.check("the debug log really logged", any("DEBUG" in t for t in texts.values()))
    verdict.check("canary secret and KS found nowhere", not leaks, "; ".join(leaks[:6]))
    verdict.check("no KS of any kind found (except ks generate's)", not stray, "; ".join(stray[:6]))
    verdict.check(
        "ks generate printed exactly one KS",
        all(len(ANY_KS.findall(r.out)) == 1 for r in generated) and bool(generated),
    )
    verdict.survived = (
        f"{len(leaks)} canary leaks, {len(stray)} stray KS in {len(texts)} outputs "
        f"({sum(len(t) for t in texts.values()):,} characters)"
    )
