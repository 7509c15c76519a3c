"""Fault soak: a CLI batch upload into one category while ~10% of all requests fail.

Faults (every kind the sandbox has, on every action): connection reset mid-body, HTTP 500 and
503 HTML pages, stalls (held, then closed), ``ACTION_BLOCKED``, and lost responses (the call
ran, its answer never arrived). Survival means every file present
exactly once, byte-identical (sha256 of the bytes the server serves), linked to the category, no
stranger or duplicate entry, and no upload token left open.
"""

from __future__ import annotations

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.faults import KINDS
from reliability import inventory, media
from reliability.cli_process import cli_env, run_cli
from reliability.harness import Context, Stopwatch, Verdict
from reliability.meter import FaultCounter

NAME = "fault_soak"
TITLE = "Fault soak"
FAULT_RATE = 0.10
MAX_RUNS = 3


def run(ctx: Context) -> Verdict:
    """Upload the batch through the faults and judge what the server holds."""
    count = 40 if ctx.smoke else 200
    verdict = Verdict(NAME, TITLE)
    scratch = ctx.scratch(NAME)
    files = media.make_files(scratch / "files", count, ctx.seed)
    checksums = {p.stem: media.sha256_of(p) for p in files}
    total = sum(p.stat().st_size for p in files)
    multi = sum(1 for p in files if p.stat().st_size > 100_000)
    verdict.tried = (
        f"{count} files ({total / 1e6:.1f} MB, {multi} multi-chunk) by `kaltura-mm upload` "
        f"into one category, {FAULT_RATE:.0%} of requests failing "
        "(" + ", ".join(KINDS) + ")"
    )
    # The realistic index (lists lag writes): the upload's recovery reads only what is exact.
    realistic = Sandbox(seed=ctx.seed, transcode_delay=0.05, final_chunk_wait=10)
    with realistic as sb:
        category = sb.create_category("Soak>Lectures")
        sb.faults.stall_seconds = 2.0
        counter = FaultCounter(sb)
        sb.faults.inject(rate=FAULT_RATE, kinds=KINDS)
        env = cli_env(scratch, sb.service_url, sb.partner_id, sb.admin_secret)
        args = ["--json", "upload", str(scratch / "files"), "-c", "Soak>Lectures"]
        args += ["--chunk-size", "100KB", "--concurrency", "4"]
        clock, runs = Stopwatch(), []
        for _ in range(MAX_RUNS):
            runs.append(run_cli(args, env, timeout=900))
            ctx.say(f"  run {len(runs)}: {runs[-1].describe()} after {runs[-1].seconds:.0f} s")
            if runs[-1].code == 0:
                break
        requests = sb.stats.http_requests
        sb.faults.clear()
        seen = inventory.census(sb, checksums, category)
    verdict.figures = {
        "files": count,
        "megabytes": round(total / 1e6, 2),
        "http_requests": requests,
        "faults_injected": counter.total,
        **{f"faults_{k}": counter.kinds[k] for k in KINDS},
        "cli_runs": len(runs),
        "seconds": round(clock.seconds(), 1),
    }
    failed = [r for r in runs[0].json_lines() if r.get("status") == "failed"]
    reasons = "; ".join(f"{r.get('name')}: {str(r.get('message'))[:160]}" for r in failed[:3])
    verdict.figures["failed_in_first_run"] = len(failed)
    _judge(verdict, runs[0].code, len(runs), seen, counter.total, reasons)
    return verdict


def _judge(
    verdict: Verdict,
    first_code: int,
    runs: int,
    seen: inventory.Census,
    faults: int,
    reasons: str,
) -> None:
    verdict.check("faults were really injected", faults > 0, f"{faults} faults served")
    verdict.check(
        "one run finished the batch (exit 0)",
        first_code == 0,
        f"first run exit {first_code}; {runs} run(s) in all" + (f"; {reasons}" if reasons else ""),
    )
    verdict.check(
        "every file present", not seen.missing, f"missing: {seen.missing[:5]}" * bool(seen.missing)
    )
    verdict.check("no duplicate entry", not seen.duplicates, ", ".join(seen.duplicates[:5]))
    verdict.check("no stranger/orphan entry", not seen.strangers, ", ".join(seen.strangers[:5]))
    verdict.check("served bytes identical", not seen.corrupt, ", ".join(seen.corrupt[:5]))
    verdict.check("every entry in the category", not seen.unlinked, ", ".join(seen.unlinked[:5]))
    verdict.check("no upload token left open", seen.open_tokens == 0, f"{seen.open_tokens} open")
    verdict.survived = (
        f"{seen.intact}/{seen.expected} intact exactly once; {len(seen.duplicates)} duplicates, "
        f"{len(seen.strangers)} orphans, {seen.open_tokens} open tokens; {faults} faults served"
    )
