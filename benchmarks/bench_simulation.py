"""The simulation's Kaltura model: requests served per second, and what a seeded run costs.

Run: ``python -m benchmarks --only simulation``. Rows:

- the model alone (no network, no driver): a mix of small requests, prepared beforehand and
  served one after another: ``baseEntry.get``, a 1 KB ``uploadToken.upload`` chunk,
  ``categoryEntry.add``, a 30-entry ``baseEntry.list`` page, ``uploadToken.get``. Target:
  2,000 requests per second, so that a scenario of a few hundred requests takes milliseconds;
- one seeded run of ``upload_many`` (client and reference drivers) and of ``list_all``
  (10,000+ entries, the client's walk): what a run costs, known client bugs or not (a run
  that met a model gap did not run its whole flow and is refused);
- the time 200 seeds of every scenario take in one process with the client driver, projected
  from 10 seeds (``.ci/run`` runs 200 with two processes). Target: 360 s in one process, so
  the step takes about 3 minutes of ``.ci/run``'s 15 on the 2-core CI machine.
"""

from __future__ import annotations

import json
import random
import time

from benchmarks.harness import Context, Row, median
from simulation.clock import VirtualClock
from simulation.http import HttpRequest, HttpResponse, json_request, multipart_request
from simulation.knobs import ModelKnobs
from simulation.model import KalturaModel
from simulation.model.ks import make_ks
from simulation.runner import run_one
from simulation.scenarios import SCENARIOS

URL = "https://bench.invalid"
PARTNER = 7


def _model() -> tuple[KalturaModel, str]:
    clock = VirtualClock()
    model = KalturaModel(clock, ModelKnobs(), random.Random(1))
    model.add_partner(PARTNER, "admin", "user")
    ks = make_ks("admin", PARTNER, int(clock.now()) + 86_400, 2, "", "", random.Random(2))
    return model, ks


def _serve(model: KalturaModel, request: HttpRequest) -> HttpResponse:
    job = model.submit(request)
    while True:
        step = job.step()
        if isinstance(step, HttpResponse):
            return step


def _requests(model: KalturaModel, ks: str, count: int) -> list[HttpRequest]:
    category = model.seed_category(PARTNER, "Bench")
    entries = [
        model.seed_entry(PARTNER, f"e{i}", b"", category, 1_600_000_000 + i) for i in range(60)
    ]
    other = model.seed_category(PARTNER, "Bench>Other")
    base = {"ks": ks, "format": 1}
    add = {**base, "uploadToken": {"fileName": "b.mp4"}}
    token = json.loads(_serve(model, json_request(URL, "uploadtoken", "add", add)).body)["id"]
    first = {**base, "uploadTokenId": token, "resume": False, "finalChunk": False}
    _serve(
        model, multipart_request(URL, "uploadtoken", "upload", first, {"fileData": ("b.mp4", b"x")})
    )
    chunk = bytes(1024)
    mix = []
    for index in range(count):
        kind = index % 5
        if kind == 0:
            mix.append(
                json_request(URL, "baseentry", "get", {**base, "entryId": entries[index % 60]})
            )
        elif kind == 1:
            part = {
                **base,
                "uploadTokenId": token,
                "resume": True,
                "finalChunk": False,
                "resumeAt": 1 + 1024 * (index // 5),
            }
            mix.append(
                multipart_request(
                    URL, "uploadtoken", "upload", part, {"fileData": ("b.mp4", chunk)}
                )
            )
        elif kind == 2:
            link = {"entryId": entries[index % 60], "categoryId": other}
            mix.append(json_request(URL, "categoryentry", "add", {**base, "categoryEntry": link}))
        elif kind == 3:
            filt = {"categoriesIdsMatchOr": str(category), "orderBy": "+createdAt"}
            mix.append(json_request(URL, "baseentry", "list", {**base, "filter": filt}))
        else:
            mix.append(json_request(URL, "uploadtoken", "get", {**base, "uploadTokenId": token}))
    return mix


def _requests_per_second(count: int) -> float:
    model, ks = _model()
    mix = _requests(model, ks, count)
    started = time.perf_counter()
    for request in mix:
        _serve(model, request)
    return count / (time.perf_counter() - started)


def _run_ms(scenario: str, seed: int, driver: str = "client") -> float:
    started = time.perf_counter()
    result = run_one(scenario, seed, driver)
    assert result.model_gap is None, result.model_gap
    return (time.perf_counter() - started) * 1000


def run(ctx: Context) -> list[Row]:
    """Measure the model's throughput and the cost of seeded runs."""
    count, rounds, seeds = (500, 1, 2) if ctx.smoke else (2_000, ctx.repeats, 10)
    rates = [_requests_per_second(count) for _ in range(rounds)]
    uploads = [_run_ms("upload_many", seed) for seed in range(rounds)]
    reference = [_run_ms("upload_many", seed, "reference") for seed in range(rounds)]
    walks = [_run_ms("list_all", seed) for seed in range(rounds)]
    started = time.perf_counter()
    for seed in range(seeds):
        for scenario in SCENARIOS:
            run_one(scenario, 1_000 + seed)
    projected = (time.perf_counter() - started) / seeds * 200
    return [
        Row("simulation", "model: small requests served", median(rates), "req/s",
            target=">= 2000 req/s", passed=median(rates) >= 2_000, samples=rates,
            notes=f"{count} requests a round, no network"),
        Row("simulation", "one upload_many run (client driver)", median(uploads), "ms",
            samples=uploads, notes="seeds 0.."),
        Row("simulation", "one upload_many run (reference driver)", median(reference), "ms",
            samples=reference, notes="seeds 0.."),
        Row("simulation", "one list_all run (10,000+ entries)", median(walks), "ms",
            samples=walks, notes="seeds 0.."),
        Row("simulation", "200 seeds x 5 scenarios, one process", projected, "s",
            target="<= 360 s", passed=projected <= 360, notes=f"projected from {seeds} seeds"),
    ]  # fmt: skip
