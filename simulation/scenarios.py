"""The scenarios: each builds its world from a seed, drives the flows, and checks the invariants.

- ``upload_one``: one file, many small chunks, sent in parallel;
- ``upload_many``: several files into a category;
- ``resume_after_kill``: several files, the driver killed at seeded points and restarted later;
- ``list_all``: walk a category of more than 10,000 entries while another user deletes, adds
  and detaches entries;
- ``batches``: detach, delete, add and move sets of entries (killed and re-run, by seed).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from simulation import bounds
from simulation.drivers import Driver, Process
from simulation.invariants import Checker
from simulation.network import Killed
from simulation.reference.upload import SourceFile
from simulation.world import PARTNER_ID, World

T = TypeVar("T")
DAY = 86_400


CHUNK_SIZES = (100_000, 131_072, 250_000)  # the client's floor is 100,000 bytes a chunk
EDGE_SIZES = (1, 4_096, 65_536)  # the client's head and tail (its default is 256 KiB)


def make_files(rng: random.Random, count: int, most_chunks: int = 8) -> list[SourceFile]:
    """Return ``count`` files of distinct bytes: a quarter fit in one chunk (1 byte up), the
    others take up to ``most_chunks`` chunks of a seeded size, plus a seeded head and tail."""
    chunk, edge = rng.choice(CHUNK_SIZES), rng.choice(EDGE_SIZES)
    files = []
    for index in range(count):
        small = rng.random() < 0.25
        size = rng.randint(1, chunk) if small else rng.randint(chunk, most_chunks * chunk)
        name = f"lecture-{index:02d}-{rng.randrange(16**6):06x}.mp4"
        files.append(SourceFile(name, rng.randbytes(size), chunk, edge))
    return files


def with_restarts(world: World, driver: Driver, flow: Callable[[Process], T]) -> T:
    """Run ``flow`` in a process; after a kill, wait (a human or cron restarts it) and rerun."""
    process = driver.process(world)
    while True:
        try:
            return flow(process)
        except Killed:
            world.net.restart()
            pause = world.rng.uniform(120.0, 900.0)
            world.net.wait_for(world.net.sleep_until(world.clock.now() + pause))
            process = driver.process(world)


def _uploads(
    world: World, driver: Driver, checker: Checker, files: list[SourceFile], category: int | None
) -> None:
    started = world.clock.now()
    reported = with_restarts(world, driver, lambda p: p.upload(files, category))
    world.net.settle()
    checker.uploads(world.model.truth(), files, reported, started)


def upload_one(world: World, driver: Driver, checker: Checker) -> None:
    """Upload one file of many chunks."""
    files = make_files(world.rng, 1, most_chunks=24)
    world.net.budget = bounds.uploads(files, world.schedule)
    _uploads(world, driver, checker, files, None)


def upload_many(world: World, driver: Driver, checker: Checker) -> None:
    """Upload several files into a category."""
    files = make_files(world.rng, world.rng.randint(2, 6))
    category = world.model.seed_category(PARTNER_ID, "Sim>Lectures")
    world.net.budget = bounds.uploads(files, world.schedule)
    _uploads(world, driver, checker, files, category)


def resume_after_kill(world: World, driver: Driver, checker: Checker) -> None:
    """Upload several files; the driver dies at seeded points and is restarted."""
    files = make_files(world.rng, world.rng.randint(1, 4))
    category = world.model.seed_category(PARTNER_ID, "Sim>Lectures")
    kills = world.rng.randint(1, 3)
    world.net.budget = bounds.uploads(files, world.schedule, kills)
    expected = sum(len(f.chunks()) + 8 for f in files)
    points = sorted(world.rng.sample(range(1, expected + 1), min(kills, expected)))
    world.net.kill_points = [b - a for a, b in zip([0, *points], points, strict=False)]
    _uploads(world, driver, checker, files, category)


def list_all(world: World, driver: Driver, checker: Checker) -> None:
    """Walk a category of 10,000+ entries while another user changes it."""
    model, rng = world.model, world.rng
    category = model.seed_category(PARTNER_ID, "Sim>Archive")
    other = model.seed_category(PARTNER_ID, "Sim>Elsewhere")
    count, burst = 10_000 + rng.randint(1, 600), _burst(rng)
    ids = _seed_entries(world, category, count, burst)
    _seed_entries(world, other, rng.randint(0, 300))
    started = world.clock.now()
    _churn(world, category, ids)
    lived_at_start = model.listable(category)
    belonged_at_start = set(ids)
    world.net.budget = bounds.walk(count + burst, burst)
    listed = with_restarts(world, driver, lambda p: p.list_category(category))
    ended = world.clock.now()
    truth = model.truth()
    touched = truth.written_between(started, ended)
    checker.listed_once(listed, lived_at_start - touched, belonged_at_start | touched)


def _burst(rng: random.Random) -> int:
    """Return how many entries a bulk import made in one second: none in half the seeds, else
    more than the index's 150-value IN cut, or more than a page of 500."""
    kind = rng.random()
    if kind < 0.5:
        return 0
    return rng.randint(151, 500) if kind < 0.75 else rng.randint(501, 1_200)


def _seed_entries(world: World, category: int, count: int, burst: int = 0) -> list[str]:
    """Seed ``count`` entries, a third of them tied with the one before, and ``burst`` more
    sharing one second somewhere among them."""
    rng, created = world.rng, int(world.clock.now()) - 60 * DAY
    at = rng.randrange(count) if burst else -1
    ids = []
    for index in range(count):
        if rng.random() > 0.3:  # else the same second as the previous one: a tie
            created += rng.randint(1, 5)
        for extra in range(burst if index == at else 0):
            ids.append(world.model.seed_entry(PARTNER_ID, f"bulk-{extra}", b"", category, created))
        ids.append(world.model.seed_entry(PARTNER_ID, f"old-{index}", b"", category, created))
    return ids


def _churn(world: World, category: int, ids: list[str]) -> None:
    rng, admin, now = world.rng, world.admin, world.clock.now()
    for entry_id in rng.sample(ids, rng.randint(0, 40)):
        world.net.at(now + rng.uniform(0, 60), partial(admin.delete_entry, entry_id))
    for entry_id in rng.sample(ids, rng.randint(0, 40)):
        world.net.at(now + rng.uniform(0, 60), partial(admin.detach, entry_id, category))
    for index in range(rng.randint(0, 40)):
        add = partial(admin.add_ready_entry, f"new-{index}", b"", category)
        world.net.at(now + rng.uniform(0, 60), add)


@dataclass(frozen=True)
class _Batch:
    """Who the batches scenario touches: source and target categories, five sets of ids."""

    source: int
    target: int
    detach: list[str]
    delete: list[str]
    add: list[str]
    move: list[str]
    untouched: list[str]

    def run(self, process: Process) -> dict[str, str]:
        """Run the four operations in one process; return entry id -> outcome."""
        outcomes = process.batch("detach", self.detach, category=self.source)
        outcomes |= process.batch("delete", self.delete)
        outcomes |= process.batch("add", self.add, category=self.target)
        return outcomes | process.batch("move", self.move, source=self.source, target=self.target)

    def expected(self) -> dict[str, frozenset[int] | None]:
        """Return each entry's categories once done (None: deleted)."""
        both, source, target = (
            frozenset({self.source, self.target}),
            frozenset({self.source}),
            frozenset({self.target}),
        )
        expected: dict[str, frozenset[int] | None] = dict.fromkeys(self.detach, frozenset())
        expected |= dict.fromkeys(self.delete, None) | dict.fromkeys(self.add, both)
        return expected | dict.fromkeys(self.move, target) | dict.fromkeys(self.untouched, source)


def _batch_world(world: World) -> _Batch:
    model, rng = world.model, world.rng
    source = model.seed_category(PARTNER_ID, "Sim>A")
    target = model.seed_category(PARTNER_ID, "Sim>B")
    ids = _seed_entries(world, source, rng.randint(20, 120))
    rng.shuffle(ids)
    fifth = len(ids) // 5
    detach, delete, add, move = (ids[i * fifth : (i + 1) * fifth] for i in range(4))
    return _Batch(source, target, detach, delete, add, move, ids[4 * fifth :])


def batches(world: World, driver: Driver, checker: Checker) -> None:
    """Detach, delete, add and move sets of entries; killed and re-run by seed."""
    batch = _batch_world(world)
    if world.rng.random() < 0.3:
        world.net.kill_points = [world.rng.randint(1, 12)]
    items = len(batch.detach) + len(batch.delete) + len(batch.add) + 2 * len(batch.move)
    world.net.budget = bounds.batches(items, operations=5, kills=len(world.net.kill_points))
    outcomes = with_restarts(world, driver, batch.run)
    world.net.settle()
    asked = batch.detach + batch.delete + batch.add + batch.move
    bad = [i for i in asked if outcomes.get(i) != "ok"]
    if bad:
        checker.fail("reported_truth", f"{len(bad)} items not reported done", bad)
    checker.expected_state(world.model.truth(), batch.expected())


Scenario = Callable[[World, Driver, Checker], None]
SCENARIOS: dict[str, Scenario] = {
    "upload_one": upload_one,
    "upload_many": upload_many,
    "resume_after_kill": resume_after_kill,
    "list_all": list_all,
    "batches": batches,
}
