"""KS expiry mid-job: sessions that live 5 s, upload jobs that run 30 s, no failed item.

Two KS providers are tried: ``SecretKs`` (the CLI's: made locally from the admin secret, renewed
before it expires), and a provider that asks the server (``session.start``, capped at 5 s by the
sandbox) and renews only when a call is refused with ``INVALID_KS``/``EXPIRED``, which proves
the client's reactive path: the refused call is re-sent with the fresh KS.

The server is slow, as a loaded one is: 0.2 s before each request and 0.1 s for each call it
runs, a multiRequest's items one after another, each checking the KS when its turn comes. So a
KS expires in the middle of batches too, and their refused items must be finished without
repeating those that ran (before this was handled, such a batch failed its file: one failed item
in 27 on a loaded 2-core machine, a third of the files with these delays).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx

from kaltura_mm import Client, Config, RetryPolicy
from kaltura_mm.ks import KsProvider
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from reliability import inventory, media
from reliability.harness import Context, Stopwatch, Verdict
from reliability.meter import CallMeter

NAME = "ks_expiry"
TITLE = "KS expiry mid-job"
KS_LIFETIME = 5


class ServerSessionKs:
    """A KS from ``session.start`` on the server, renewed only after the server refused it."""

    def __init__(self, service_url: str, partner_id: int, secret: str) -> None:
        """Remember how to start a session; the first KS is asked for on first use."""
        self._url = f"{service_url}/api_v3/service/session/action/start"
        self._body = {"format": 1, "secret": secret, "partnerId": partner_id, "type": 2}
        self._lock = threading.Lock()
        self._ks: str | None = None
        self.sessions = 0

    def _start(self) -> str:
        ks = httpx.post(self._url, json=self._body, timeout=10).json()
        if not isinstance(ks, str):
            raise RuntimeError(f"session.start failed: {ks}")
        self.sessions += 1
        self._ks = ks
        return ks

    def current(self) -> str:
        """Return the KS in use (starting a session the first time)."""
        with self._lock:
            return self._ks or self._start()

    def renew(self) -> bool:
        """Start a new session after the server said the KS expired."""
        with self._lock:
            self._start()
        return True

    def __repr__(self) -> str:
        return "ServerSessionKs(<redacted>)"


def _job(
    client: Client, folder: Path, category: int, seconds: float, seed: int
) -> tuple[list[Path], int]:
    """Upload batches of files until ``seconds`` have passed; return the files and failures."""
    clock, files, failed, batch = Stopwatch(), [], 0, 0
    options = UploadOptions(chunk_size=100_000, concurrency=2)
    while clock.seconds() < seconds:
        batch += 1
        paths = media.make_files(folder / f"batch{batch}", 3, seed + batch, 0.5, f"b{batch}")
        requests = [UploadRequest(path=p, category_ids=(category,)) for p in paths]
        outcomes = client.run(upload_many(requests, options, max_files_in_flight=2))
        failed += sum(1 for o in outcomes if not o.ok)
        files += paths
    return files, failed


def run(ctx: Context) -> Verdict:
    """Run one job per provider against 5-second sessions and judge the uploads."""
    seconds = 8.0 if ctx.smoke else 30.0
    verdict = Verdict(NAME, TITLE)
    scratch = ctx.scratch(NAME)
    verdict.tried = (
        f"two upload jobs of {seconds:.0f} s each with sessions living {KS_LIFETIME} s: "
        "SecretKs (renewed ahead of expiry) and a session.start provider renewed only on "
        "INVALID_KS/EXPIRED; the sandbox adds 0.2 s to every request and 0.1 s to every call "
        "it runs (each multiRequest item), so sessions expire in the middle of batches"
    )
    with Sandbox(transcode_delay=0.05, final_chunk_wait=5) as sb:
        sb.faults.ks_lifetime = KS_LIFETIME
        sb.faults.latency = 0.2
        sb.faults.call_latency = 0.1
        meter = CallMeter(sb)
        category = sb.create_category("Expiry>Lectures")
        retry = RetryPolicy(attempts=4, initial_backoff=0.1)
        base: dict[str, Any] = {
            "service_url": sb.service_url,
            "partner_id": sb.partner_id,
            "retry": retry,
        }
        secret_config = Config(**base, admin_secret=sb.admin_secret, ks_expiry=KS_LIFETIME)
        server_ks = ServerSessionKs(sb.service_url, sb.partner_id, sb.admin_secret)
        providers: list[tuple[str, Config, KsProvider | None]] = [
            ("SecretKs", secret_config, None),
            ("session.start", Config(**base), server_ks),
        ]
        checksums, failures, durations = {}, {}, {}
        for label, config, provider in providers:
            clock = Stopwatch()
            with Client(config, ks_provider=provider) as client:
                files, failed = _job(client, scratch / label, category, seconds, ctx.seed)
            durations[label] = clock.seconds()
            failures[label] = failed
            checksums.update({p.stem: media.sha256_of(p) for p in files})
        expired = sum(meter.count(s, a, "INVALID_KS") for (s, a) in list(meter.outcomes))
        seen = inventory.census(sb, checksums, category)
    for label in failures:
        verdict.check(
            f"{label}: the job outlived its KS several times and no item failed",
            failures[label] == 0
            and durations[label] >= 2 * KS_LIFETIME * (0.5 if ctx.smoke else 1),
            f"{durations[label]:.1f} s, {failures[label]} failed",
        )
    verdict.check(
        "session.start provider: sessions were renewed after refusals",
        server_ks.sessions >= 2 and expired >= 1,
        f"{server_ks.sessions} sessions started, {expired} calls refused INVALID_KS",
    )
    verdict.check(
        "every file present once, intact, linked",
        not (seen.missing or seen.duplicates or seen.corrupt or seen.unlinked or seen.strangers),
        f"{seen.intact}/{seen.expected} intact",
    )
    verdict.check("no upload token left open", seen.open_tokens == 0, f"{seen.open_tokens} open")
    verdict.survived = (
        f"{seen.intact}/{seen.expected} files intact, "
        f"{sum(failures.values())} failed items; {server_ks.sessions} server sessions, "
        f"{expired} calls refused as expired and re-sent"
    )
    verdict.figures = {
        "files": seen.expected,
        "ks_lifetime_s": KS_LIFETIME,
        **{f"job_seconds_{k}": round(v, 1) for k, v in durations.items()},
        "server_sessions": server_ks.sessions,
        "invalid_ks_refusals": expired,
    }
    return verdict
