"""Response decoding: one 500-entry ``baseEntry.list`` page, from bytes to typed objects.

Run: ``python -m benchmarks --only codec``. The page is served by the local sandbox in both of
its formats, the same entries: JSON (``format=1``, what kaltura-mm reads) and XML (``format=2``,
the only format the official client reads). Rows, every baseline measured in the same run:

- kaltura-mm's whole decode path (``wire.decode_call``: JSON parse, envelope check, typed
  ``ListPage`` of ``MediaEntry``) against the official ``KalturaApiClient`` turning the XML of the
  same page into its objects (``parsePostResult`` then ``KalturaObjectFactory.create``), timed
  inside its own throwaway venv. Target: at most half of the official client's time.
- the same decode against bare ``json.loads`` of the body, the floor no decoder can beat; the
  ratio is what typing the values costs. Target (issue 20): at most twice the floor.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import httpx

from benchmarks.harness import Context, Row, median, time_runs
from benchmarks.official import official_python
from kaltura_mm.models import BaseEntry, ListPage, MediaEntry, MediaEntryFilter, Pager
from kaltura_mm.protocol import wire
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry

PAGE = 500
TARGET = 0.5  # of the official client's time
FLOOR_TARGET = 2.0  # times json.loads of the same bytes

OFFICIAL_DECODE = textwrap.dedent(
    """
    import sys, time
    from KalturaClient import KalturaClient, KalturaConfiguration
    from KalturaClient.Base import KalturaObjectFactory
    path, repeats = sys.argv[1], int(sys.argv[2])
    body = open(path, "rb").read()
    client = KalturaClient(KalturaConfiguration())
    def decode():
        node = client.parsePostResult(body)
        return KalturaObjectFactory.create(node, "KalturaBaseEntryListResponse")
    assert len(decode().objects) == int(sys.argv[3])
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        decode()
        samples.append(time.perf_counter() - started)
    print(" ".join(repr(s) for s in samples))
    """
)


def _fetch_pages(workdir: Path) -> tuple[Path, Path]:
    """Serve one page of ``PAGE`` seeded entries as JSON and as XML; return the two files."""
    with Sandbox() as sb:
        category = sb.create_category("Bench>Codec")
        sb.seed_entries(category, PAGE)
        form = {
            "ks": sb.ks(),
            "filter[objectType]": "KalturaMediaEntryFilter",
            "filter[categoriesIdsMatchOr]": str(category),
            "pager[pageSize]": str(PAGE),
        }
        url = f"{sb.service_url}/api_v3/service/baseEntry/action/list"
        paths = []
        for fmt, suffix in (("1", "json"), ("2", "xml")):
            response = httpx.post(url, data={**form, "format": fmt}, timeout=60)
            response.raise_for_status()
            path = workdir / f"page.{suffix}"
            path.write_bytes(response.content)
            paths.append(path)
    return paths[0], paths[1]


def _official(xml: Path, repeats: int) -> list[float]:
    done = subprocess.run(
        [str(official_python()), "-c", OFFICIAL_DECODE, str(xml), str(repeats), str(PAGE)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return [float(s) for s in done.stdout.split()]


def run(ctx: Context) -> list[Row]:
    """Time our decode of the JSON page against the official client's XML and ``json.loads``."""
    json_page, xml_page = _fetch_pages(ctx.workdir)
    body = json_page.read_bytes()
    call = base_entry.list(MediaEntryFilter(), Pager(page_size=PAGE))

    def ours() -> ListPage[BaseEntry]:
        return wire.decode_call(call, 200, body)

    page = ours()
    assert len(page.objects) == PAGE and isinstance(page.objects[0], MediaEntry)
    repeats = 5 if ctx.smoke else 30
    samples = time_runs(ours, repeats, warmup=2)
    floor = time_runs(lambda: json.loads(body), repeats, warmup=2)
    official = _official(xml_page, repeats)
    ms = [s * 1000 for s in samples]
    note = f"{PAGE} MediaEntry, JSON {len(body):,} B, XML {xml_page.stat().st_size:,} B"
    return [
        Row(
            benchmark="codec",
            subject=f"decode a {PAGE}-entry baseEntry.list page",
            median=median(ms),
            unit="ms",
            baseline="official client, same page as XML",
            baseline_median=median(official) * 1000,
            target=f"<= {TARGET:g}x official",
            passed=median(samples) <= TARGET * median(official),
            samples=ms,
            notes=note,
        ),
        Row(
            benchmark="codec",
            subject=f"decode a {PAGE}-entry page vs the json.loads floor",
            median=median(ms),
            unit="ms",
            baseline="json.loads of the same bytes",
            baseline_median=median(floor) * 1000,
            target=f"<= {FLOOR_TARGET:g}x json.loads",
            passed=median(samples) <= FLOOR_TARGET * median(floor),
            samples=ms,
            notes="ratio = cost of the whole decode over parsing alone",
        ),
    ]
