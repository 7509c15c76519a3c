"""Crash and resume: ``kaltura-mm upload`` killed with SIGKILL at seeded random moments, the same
command re-run after each crash, until one run finishes.

A crash moment is a number of chunk parts the server has received (drawn from a seeded
generator), so every kill lands mid-batch with chunks in flight. In the end every file must be
present exactly once, byte-identical, linked to the category, with no token left open; and the
chunk bytes the server received beyond the files' sizes (bytes re-sent because of the crashes)
must stay under one chunk per crash per file in flight (``--concurrency``).
"""

from __future__ import annotations

import random
import signal
import time

from kaltura_mm.sandbox import Sandbox
from reliability import inventory, media
from reliability.cli_process import cli_env, run_cli, start_cli
from reliability.harness import Context, Stopwatch, Verdict
from reliability.meter import UploadMeter

NAME = "crash_resume"
TITLE = "Crash and resume"
CHUNK = 100_000
CONCURRENCY = 4


def run(ctx: Context) -> Verdict:
    """Crash the batch repeatedly, resume it each time, then judge the server's holdings."""
    crashes_wanted = 3 if ctx.smoke else 10
    count = 12 if ctx.smoke else 40
    verdict = Verdict(NAME, TITLE)
    scratch = ctx.scratch(NAME)
    files = media.make_files(scratch / "files", count, ctx.seed, large_share=0.6, prefix="talk")
    checksums = {p.stem: media.sha256_of(p) for p in files}
    total = sum(p.stat().st_size for p in files)
    rng = random.Random(ctx.seed)
    log = scratch / "runs.log"
    # The realistic index (lists lag writes): the upload's recovery reads only what is exact.
    realistic = Sandbox(seed=ctx.seed, transcode_delay=0.05, final_chunk_wait=10)
    with realistic as sb:
        category = sb.create_category("Crash>Lectures")
        sb.faults.bandwidth = 400_000  # bytes/s per request: a chunk takes ~0.25 s
        meter = UploadMeter(sb)
        env = cli_env(scratch, sb.service_url, sb.partner_id, sb.admin_secret)
        args = ["upload", str(scratch / "files"), "-c", "Crash>Lectures", "--chunk-size"]
        args += [str(CHUNK), "--concurrency", str(CONCURRENCY), "--json"]
        crashes, early, clock = 0, 0, Stopwatch()
        while crashes < crashes_wanted and early < 3:
            target = meter.parts + rng.randint(2, 10)
            process = start_cli(args, env, log)
            while process.poll() is None and meter.parts < target:
                time.sleep(0.01)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                crashes += 1
                ctx.say(f"  SIGKILL #{crashes} after {meter.parts} parts received in all")
            else:
                early += 1  # the batch finished before this crash moment
        final = run_cli(args, env, timeout=600)
        ctx.say(f"  final run: {final.describe()}")
        seconds = clock.seconds()
        received = meter.bytes
        seen = inventory.census(sb, checksums, category)
    resent = received - total
    bound = crashes * CONCURRENCY * CHUNK
    statuses = sorted({str(r.get("status")) for r in final.json_lines()})
    verdict.check(
        f"{crashes_wanted} crashes landed mid-batch",
        crashes == crashes_wanted,
        f"{crashes} crashes, {early} runs finished before their crash moment",
    )
    verdict.check("the last run finished (exit 0)", final.code == 0, final.describe())
    verdict.check("every file present", not seen.missing, ", ".join(seen.missing[:5]))
    verdict.check("no duplicate entry", not seen.duplicates, ", ".join(seen.duplicates[:5]))
    verdict.check("no orphan entry", not seen.strangers, ", ".join(seen.strangers[:5]))
    verdict.check("served bytes identical", not seen.corrupt, ", ".join(seen.corrupt[:5]))
    verdict.check("every entry in the category", not seen.unlinked, ", ".join(seen.unlinked[:5]))
    verdict.check("no upload token left open", seen.open_tokens == 0, f"{seen.open_tokens} open")
    verdict.check(
        "bytes re-sent < one chunk per crash per file in flight",
        0 <= resent < max(bound, 1),
        f"{resent:,} re-sent; bound {crashes} crashes x {CONCURRENCY} x {CHUNK:,} = {bound:,}",
    )
    verdict.tried = (
        f"`kaltura-mm upload` of {count} files ({total / 1e6:.1f} MB, {CHUNK // 1000} kB chunks, "
        f"--concurrency {CONCURRENCY}) killed with SIGKILL at {crashes_wanted} seeded moments, "
        "the same command re-run after each"
    )
    verdict.survived = (
        f"{seen.intact}/{count} intact exactly once after {crashes} crashes; "
        f"{resent:,} bytes re-sent ({resent / max(crashes, 1) / CHUNK:.2f} chunks per crash; "
        f"bound {CONCURRENCY}); final run statuses {', '.join(statuses)}"
    )
    verdict.figures = {
        "files": count,
        "megabytes": round(total / 1e6, 2),
        "crashes": crashes,
        "bytes_received": received,
        "bytes_resent": resent,
        "resent_bound": bound,
        "chunks_resent_per_crash": round(resent / max(crashes, 1) / CHUNK, 2),
        "seconds": round(seconds, 1),
    }
    return verdict
