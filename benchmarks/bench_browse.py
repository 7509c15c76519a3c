"""Browse and manage benchmarks: list a big category, detach then delete in batches.

Run: ``python -m benchmarks --only browse`` (``--smoke`` for small counts). Baselines are
measured in the same run against the same local sandbox:

- enumerate 25,000 entries of one category: kaltura-mm's keyset (target: every entry, at most
  52 HTTP requests) vs the official ``KalturaApiClient``'s naive ``pageIndex`` loop of 500-entry
  pages, which the server stops at 10,000 (the row notes how many it got).
  The target holds on a kind index (lists see writes at once, IN lists uncut); the realistic
  index's request count is reported beside it.
- detach then delete 2,000 entries with 50 ms of simulated latency per request: kaltura-mm in
  multiRequests (a sweep of batch sizes; the best one is the main row) vs the official client
  one call per entry (target: at most 1/20 of its time, at most 100 HTTP requests). The official
  client is timed on a sample of entries and scaled linearly to the full count (each entry costs
  two sequential round trips either way); the note says so.
- pacing against the server's rate limiter, in virtual time (``benchmarks.virtual_limiter``: the
  sandbox's ``RateLimiter`` on a virtual clock): 2,000 deletes against 30 per 10 s and 3 per 1 s,
  the rate reached as a share of the allowed one (the fastest possible time over the time taken:
  the allowance at once, then one window later each; target: at least 90%) and the share of
  calls blocked (target: at most 5%), beside a fixed 2.5/s pacer in the same harness.
"""

from __future__ import annotations

import subprocess
import textwrap
import time

from benchmarks.harness import Context, Row, median
from benchmarks.official import official_python
from benchmarks.virtual_limiter import run_deletes
from kaltura_mm.client import Client
from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.entries import delete_entries, detach_entries
from kaltura_mm.flows.listing import EntryQuery, list_entries
from kaltura_mm.sandbox import Sandbox

LATENCY = 0.05


def _client(sb: Sandbox) -> Client:
    return Client(
        service_url=sb.service_url, partner_id=sb.partner_id, admin_secret=sb.admin_secret
    )


OFFICIAL_LIST = textwrap.dedent(
    """
    import sys, time
    from KalturaClient import KalturaClient, KalturaConfiguration
    from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaMediaEntryFilter
    url, ks, category = sys.argv[1:4]
    config = KalturaConfiguration()
    config.serviceUrl = url
    client = KalturaClient(config)
    client.setKs(ks)
    f = KalturaMediaEntryFilter()
    f.categoriesIdsMatchOr = category
    f.orderBy = "+createdAt"
    pager = KalturaFilterPager()
    pager.pageSize = 500
    got, error, page = 0, "", 1
    started = time.perf_counter()
    while True:
        pager.pageIndex = page
        try:
            result = client.media.list(f, pager)
        except Exception as exc:
            error = getattr(exc, "code", type(exc).__name__)
            break
        if not result.objects:
            break
        got += len(result.objects)
        page += 1
    print(time.perf_counter() - started, got, error)
    """
)

OFFICIAL_REMOVE = textwrap.dedent(
    """
    import sys, time
    from KalturaClient import KalturaClient, KalturaConfiguration
    url, ks, category = sys.argv[1:4]
    config = KalturaConfiguration()
    config.serviceUrl = url
    client = KalturaClient(config)
    client.setKs(ks)
    started = time.perf_counter()
    for entry_id in sys.argv[4:]:
        client.categoryEntry.delete(entry_id, int(category))
    for entry_id in sys.argv[4:]:
        client.baseEntry.delete(entry_id)
    print(time.perf_counter() - started)
    """
)


def _official(script: str, sb: Sandbox, *args: str) -> list[str]:
    done = subprocess.run(
        [str(official_python()), "-c", script, sb.service_url, sb.ks(), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1].split()


def _listing(sb: Sandbox, category: int, repeats: int) -> tuple[list[float], list[int], list[int]]:
    """Return the seconds, HTTP requests and entries of ``repeats`` full listings."""
    samples, requests, listed = [], [], []
    with _client(sb) as client:
        for _ in range(repeats):
            sb.stats.reset()
            started = time.perf_counter()
            n = sum(1 for _ in client.iterate(list_entries(EntryQuery(category_id=category))))
            samples.append(time.perf_counter() - started)
            requests.append(sb.stats.http_requests)
            listed.append(n)
    return samples, requests, listed


def _enumerate(ctx: Context) -> list[Row]:
    count = 2_000 if ctx.smoke else 25_000
    limit = count // 500 + 2
    with Sandbox(index_lag=0, index_max_in_values=None) as sb:  # the kind index
        category = sb.create_category("Bench>Big")
        sb.seed_entries(category, count)
        samples, requests, listed = _listing(sb, category, ctx.repeats)
        official = [_official(OFFICIAL_LIST, sb, str(category)) for _ in range(ctx.repeats)]
    with Sandbox() as sb:  # the realistic index: lists lag writes, IN lists cut at 150
        category = sb.create_category("Bench>Big")
        sb.seed_entries(category, count)
        _, real_requests, real_listed = _listing(sb, category, 1)
    got, error = official[0][1], official[0][2] if len(official[0]) > 2 else "none"
    complete = all(n == count for n in listed)
    ours_per_10k = median(samples) * 10_000 / count
    theirs_per_10k = median([float(o[0]) for o in official]) * 10_000 / max(1, int(got))
    return [
        Row(
            benchmark="browse",
            subject=f"enumerate {count:,} entries (keyset)",
            median=median(samples),
            unit="s",
            baseline="official pageIndex loop",
            baseline_median=median([float(o[0]) for o in official]),
            target=f"all {count:,} listed in <= {limit} requests",
            passed=complete and max(requests) <= limit,
            samples=samples,
            notes=f"kaltura-mm: {listed[0]:,} entries in {max(requests)} requests; official "
            f"loop got {int(got):,} then stopped ({error}); per 10,000 entries: "
            f"{ours_per_10k:.2f} s vs {theirs_per_10k:.2f} s",
        ),
        Row(
            benchmark="browse",
            subject=f"enumerate {count:,}: HTTP requests (kind index)",
            median=float(max(requests)),
            unit="requests",
            target=f"<= {limit}",
            passed=max(requests) <= limit,
            samples=[float(r) for r in requests],
            notes=f"realistic index (default Sandbox): {real_listed[0]:,} entries in "
            f"{real_requests[0]} requests",
        ),
        Row(
            benchmark="browse",
            subject=f"enumerate {count:,}: HTTP requests (realistic index)",
            median=float(real_requests[0]),
            unit="requests",
            samples=[float(real_requests[0])],
            passed=real_listed[0] == count,
            target=f"all {count:,} listed",
        ),
    ]


def _remove_with(sb: Sandbox, count: int, pace: Pace) -> tuple[float, int, bool]:
    category = sb.create_category(f"Bench>Remove{pace.batch_size}")
    ids = sb.seed_entries(category, count)
    with _client(sb) as client:
        sb.faults.latency = LATENCY
        sb.stats.reset()
        started = time.perf_counter()
        detached = client.run(detach_entries(ids, category, pace=pace))
        deleted = client.run(delete_entries(ids, pace=pace))
        elapsed = time.perf_counter() - started
        sb.faults.latency = 0.0
    ok = all(o.status == "done" for o in [*detached, *deleted])
    return elapsed, sb.stats.http_requests, ok


def _remove(ctx: Context) -> list[Row]:
    count = 200 if ctx.smoke else 2_000
    sample = 50 if ctx.smoke else 300
    sizes = [50] if ctx.smoke else [50, 100, 200]
    rows: list[Row] = []
    with Sandbox() as sb:
        category = sb.create_category("Bench>Official")
        ids = sb.seed_entries(category, sample)
        sb.faults.latency = LATENCY
        official = float(_official(OFFICIAL_REMOVE, sb, str(category), *ids)[0])
        sb.faults.latency = 0.0
        official_full = official * count / sample
        best: tuple[float, int, int, list[float]] | None = None
        for size in sizes:
            runs = [_remove_with(sb, count, Pace(batch_size=size)) for _ in range(ctx.repeats)]
            elapsed = median([r[0] for r in runs])
            requests = max(r[1] for r in runs)
            rows.append(
                Row(
                    benchmark="browse",
                    subject=f"detach+delete {count:,}, batch {size} (sweep)",
                    median=elapsed,
                    unit="s",
                    samples=[r[0] for r in runs],
                    notes=f"{requests} HTTP requests; all done: {all(r[2] for r in runs)}",
                )
            )
            if all(r[2] for r in runs) and (best is None or elapsed < best[0]):
                best = (elapsed, requests, size, [r[0] for r in runs])
    assert best is not None, "no batch size finished every entry"
    elapsed, requests, size, best_samples = best
    rows.insert(
        0,
        Row(
            benchmark="browse",
            subject=f"detach then delete {count:,} at 50 ms (batch {size})",
            median=elapsed,
            unit="s",
            baseline="official, one call per entry",
            baseline_median=official_full,
            target="<= 1/20 of baseline, <= 100 requests",
            passed=elapsed <= official_full / 20 and requests <= 100,
            samples=best_samples,
            notes=f"{requests} HTTP requests; official timed on {sample} entries "
            f"({official:.1f} s) and scaled x{count / sample:g}",
        ),
    )
    return rows


def _pacing(ctx: Context) -> list[Row]:
    count = 300 if ctx.smoke else 2_000
    rows = []
    for limit, window in ((30, 10.0), (3, 1.0)):
        allowed = limit / window
        learned = run_deletes(count, limit, window, Pace())
        fixed = run_deletes(count, limit, window, Pace(max_rate=2.5))
        share, blocked = learned.share(limit, window), learned.blocked_share()
        rows.append(
            Row(
                benchmark="browse",
                subject=f"pacing: delete {count:,} against {limit}/{window:g}s (virtual time)",
                median=share * 100,
                unit="% of the fastest",
                baseline="fixed 2.5/s pacer",
                baseline_median=fixed.share(limit, window) * 100,
                target=">= 90% of the allowed rate, <= 5% of calls blocked",
                passed=share >= 0.9 and blocked <= 0.05,
                samples=[share * 100],
                notes=f"{learned.rate():.2f}/s of {allowed:g}/s in {learned.seconds:.0f} s, "
                f"{learned.blocked} of {learned.accepted + learned.blocked} calls blocked "
                f"({blocked:.1%}); fixed 2.5/s: {fixed.rate():.2f}/s, {fixed.blocked} blocked",
            )
        )
    return rows


def run(ctx: Context) -> list[Row]:
    """Measure enumeration past 10,000, batched detach/delete, and pacing against a limiter."""
    return [*_enumerate(ctx), *_remove(ctx), *_pacing(ctx)]
