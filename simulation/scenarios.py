"""The scenarios: each builds its world from a seed, drives the flows, and checks the invariants.

- ``upload_one``: one file, many small chunks, sent in parallel;
- ``upload_many``: several files into a category;
- ``resume_after_kill``: several files, the driver killed at seeded points and restarted later;
- ``list_all``: walk a category of more than 10,000 entries while another user deletes, adds
  and detaches entries;
- ``batches``: detach, delete, add and move sets of entries (killed and re-run, by seed);
- ``clients`` (only when named, ``--scenario clients``): 2 to 4 client processes started at
  once, each deleting its own part, against the model's limiter on deletes (the seed's, or 30
  per 10 s or 3 per 1 s): the client's share one rate budget (issue 18 F). Each entry deleted,
  every report true, requests bounded, and the calls the limiter blocked bounded (learning the
  limit and window once, plus what the network's own injected blocks cost).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from simulation import bounds
from simulation.accounts import OTHER, REFERENCE_MODIFY
from simulation.drivers import Driver, Process
from simulation.invariants import Checker
from simulation.knobs import RateRule
from simulation.model.truth import EntryTruth
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
    others = _others_uploaded(world, driver, files, category)
    started = world.clock.now()
    reported = with_restarts(world, driver, lambda p: p.upload(files, category))
    world.net.settle()
    truth = world.model.truth()
    accounts = world.accounts
    owner = accounts.user if accounts.is_user else None
    refusable = accounts.is_user and not accounts.reference_modify
    refused = _refused_for_reference_id(driver, files) if refusable else set()
    checker.uploads(truth, files, reported, started, owner, refused)
    checker.untouched(truth, others)


def _refused_for_reference_id(driver: Driver, files: list[SourceFile]) -> set[str]:
    """Return the files the driver refused to upload because the server drops the entry's
    referenceId for this role, taking those failures off its list: a refusal that names the
    missing permission and leaves nothing behind is a right answer too (an entry without its
    referenceId cannot be found again), checked as such by ``Checker.uploads``."""
    failures: list[str] = getattr(driver, "failures", [])
    refused = set()
    for source in files:
        said = [f for f in failures if f.startswith(f"{source.name}: ") and REFERENCE_MODIFY in f]
        if said:
            refused.add(source.name)
            failures[:] = [f for f in failures if f not in said]
    return refused


def _others_uploaded(
    world: World, driver: Driver, files: list[SourceFile], category: int | None
) -> dict[str, EntryTruth]:
    """With ``--accounts``: another user uploaded some of the same files a day ago, into the
    same category; return those entries as they are (they must stay so).

    Under a USER session, when the driver names its uploads (the client: ``upload_names``),
    the other user's upload was made by the same tool: its entry carries the same referenceId
    and its CLOSED receipt token the same name. The names hash no session user, so only the
    server's rules (a USER session sees its own tokens only) and the driver's owner checks
    keep the run from taking that entry for its own. Under the admin session the receipt is
    left out: an admin run takes a same-named upload of any user for its own by design
    (``kaltura_mm.upload.recover`` rule 1).
    """
    if not world.accounts.on:
        return {}
    rng, day_ago = world.stream("accounts-world"), int(world.clock.now()) - DAY
    chosen = rng.sample(files, rng.randint(1, len(files)))
    names = getattr(driver, "upload_names", None) if world.accounts.is_user else None
    ids = []
    for source in chosen:
        reference, receipt = names(source, category) if names else ("", None)
        entry_id = world.model.seed_entry(
            PARTNER_ID, source.name, source.data, category, day_ago, OTHER, reference
        )
        if receipt is not None:
            world.model.seed_receipt(entry_id, receipt(entry_id), day_ago)
        ids.append(entry_id)
    entries = world.model.truth().entries
    return {i: entries[i] for i in ids}


def upload_one(world: World, driver: Driver, checker: Checker) -> None:
    """Upload one file of many chunks."""
    files = make_files(world.rng, 1, most_chunks=24)
    world.net.budget = bounds.uploads(files, world.schedule)
    _uploads(world, driver, checker, files, None)


def upload_many(world: World, driver: Driver, checker: Checker) -> None:
    """Upload several files into a category."""
    files = make_files(world.rng, world.rng.randint(2, 6))
    category = world.category("Sim>Lectures")
    world.net.budget = bounds.uploads(files, world.schedule)
    _uploads(world, driver, checker, files, category)


def resume_after_kill(world: World, driver: Driver, checker: Checker) -> None:
    """Upload several files; the driver dies at seeded points and is restarted."""
    files = make_files(world.rng, world.rng.randint(1, 4))
    category = world.category("Sim>Lectures")
    kills = world.rng.randint(1, 3)
    world.net.budget = bounds.uploads(files, world.schedule, kills)
    expected = sum(len(f.chunks()) + 8 for f in files)
    points = sorted(world.rng.sample(range(1, expected + 1), min(kills, expected)))
    world.net.kill_points = [b - a for a, b in zip([0, *points], points, strict=False)]
    _uploads(world, driver, checker, files, category)


def list_all(world: World, driver: Driver, checker: Checker) -> None:
    """Walk a category of 10,000+ entries while another user changes it."""
    model, rng = world.model, world.rng
    category = world.category("Sim>Archive")
    other = world.category("Sim>Elsewhere")
    count, burst = 10_000 + rng.randint(1, 600), _burst(rng)
    owners = _owners(world)
    ids = _seed_entries(world, category, count, burst, owners)
    _seed_entries(world, other, rng.randint(0, 300), owners=owners)
    started = world.clock.now()
    _churn(world, category, ids)
    shown = world.accounts.sees_only  # a USER session without list:* sees its own only
    lived_at_start = model.listable(category, shown)
    belonged_at_start = set(ids)
    world.net.budget = bounds.walk(count + burst, burst)
    listed = with_restarts(world, driver, lambda p: p.list_category(category))
    ended = world.clock.now()
    truth = model.truth()
    touched = truth.written_between(started, ended)
    belonged = belonged_at_start | touched
    if shown is not None:  # another user's entry listed is a stranger
        belonged = {i for i in belonged if truth.entries[i].user_id == shown}
    checker.listed_once(listed, lived_at_start - touched, belonged)


def _owners(world: World) -> Callable[[], str]:
    """Return who owns each seeded entry: the run's owner, or (``--accounts``) another user
    for the account's share of them, drawn from a stream of its own."""
    accounts = world.accounts
    if not accounts.on:
        return lambda: ""
    rng = world.stream("accounts-owners")
    return lambda: OTHER if rng.random() < accounts.others_share else accounts.owner


def _burst(rng: random.Random) -> int:
    """Return how many entries a bulk import made in one second: none in half the seeds, else
    more than the index's 150-value IN cut, or more than a page of 500."""
    kind = rng.random()
    if kind < 0.5:
        return 0
    return rng.randint(151, 500) if kind < 0.75 else rng.randint(501, 1_200)


def _seed_entries(
    world: World,
    category: int,
    count: int,
    burst: int = 0,
    owners: Callable[[], str] = lambda: "",
) -> list[str]:
    """Seed ``count`` entries, a third of them tied with the one before, and ``burst`` more
    sharing one second somewhere among them; each owned by ``owners()``."""
    rng, created = world.rng, int(world.clock.now()) - 60 * DAY
    at = rng.randrange(count) if burst else -1
    ids = []
    seed = world.model.seed_entry
    for index in range(count):
        if rng.random() > 0.3:  # else the same second as the previous one: a tie
            created += rng.randint(1, 5)
        for extra in range(burst if index == at else 0):
            ids.append(seed(PARTNER_ID, f"bulk-{extra}", b"", category, created, owners()))
        ids.append(seed(PARTNER_ID, f"old-{index}", b"", category, created, owners()))
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
    others: list[str] = field(default_factory=list)  # another user's, in the source
    refused: list[str] = field(default_factory=list)  # of ``others``: asked deleted, refused

    def run(self, process: Process) -> dict[str, str]:
        """Run the four operations in one process; return entry id -> outcome."""
        outcomes = process.batch("detach", self.detach, category=self.source)
        outcomes |= process.batch("delete", self.delete + self.refused)
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
        expected |= dict.fromkeys(self.move, target) | dict.fromkeys(self.untouched, source)
        return expected | dict.fromkeys(self.others, source)


def _batch_world(world: World) -> _Batch:
    rng, accounts = world.rng, world.accounts
    source = world.category("Sim>A")
    target = world.category("Sim>B")
    owner = accounts.owner
    ids = _seed_entries(world, source, rng.randint(20, 120), owners=lambda: owner)
    rng.shuffle(ids)
    fifth = len(ids) // 5
    detach, delete, add, move = (ids[i * fifth : (i + 1) * fifth] for i in range(4))
    batch = _Batch(source, target, detach, delete, add, move, ids[4 * fifth :])
    if not accounts.on:
        return batch
    more = world.stream("accounts-world")
    others = _seed_entries(world, source, more.randint(2, 10), owners=lambda: OTHER)
    refused = more.sample(others, more.randint(1, 2)) if accounts.is_user else []
    return _Batch(source, target, detach, delete, add, move, batch.untouched, others, refused)


def batches(world: World, driver: Driver, checker: Checker) -> None:
    """Detach, delete, add and move sets of entries; killed and re-run by seed."""
    batch = _batch_world(world)
    if world.rng.random() < 0.3:
        world.net.kill_points = [world.rng.randint(1, 12)]
    items = len(batch.detach) + len(batch.delete) + len(batch.add) + 2 * len(batch.move)
    items += len(batch.refused)
    world.net.budget = bounds.batches(items, operations=5, kills=len(world.net.kill_points))
    others = {}
    if batch.others:
        before = world.model.truth().entries
        others = {i: before[i] for i in batch.others}
    outcomes = with_restarts(world, driver, batch.run)
    world.net.settle()
    asked = batch.detach + batch.delete + batch.add + batch.move
    bad = [i for i in asked if outcomes.get(i) != "ok"]
    if bad:
        checker.fail("reported_truth", f"{len(bad)} items not reported done", bad)
    done = [i for i in batch.refused if outcomes.get(i) in ("ok", None)]
    if done:  # another user's entry: the server refuses a USER session (INVALID_KS -4)
        checker.fail(
            "reported_truth", f"{len(done)} refused deletes reported done or not at all", done
        )
    truth = world.model.truth()
    checker.expected_state(truth, batch.expected())
    checker.untouched(truth, others)


def clients(world: World, driver: Driver, checker: Checker) -> None:
    """Several processes at once, each deleting its own part of one category."""
    rng = world.rng
    category = world.category("Sim>Shared")
    ids = _seed_entries(world, category, rng.randint(60, 240))
    count = rng.randint(2, 4)
    parts = [ids[n::count] for n in range(count)]
    limiter = world.model.state.limiter
    if limiter.rule("baseentry", "delete") is None:
        limit, window = rng.choice(((30, 10.0), (3, 1.0)))
        limiter.add(RateRule("baseentry", "delete", limit, window))
    world.net.budget = bounds.batches(len(ids), operations=count, kills=0)
    outcomes = driver.deletes_at_once(world, parts)
    world.net.settle()
    bad = [i for i in ids if outcomes.get(i) != "ok"]
    if bad:
        checker.fail("reported_truth", f"{len(bad)} items not reported done", bad)
    checker.expected_state(world.model.truth(), dict.fromkeys(ids, None))
    blocked = limiter.blocked["baseentry.delete"]
    most = bounds.blocked_deletes(len(ids), world.schedule)
    if driver.name == "client" and blocked > most:  # the reference shares no budget
        checker.fail("bounded", f"{blocked} deletes blocked by the limiter, more than {most}")


Scenario = Callable[[World, Driver, Checker], None]
SCENARIOS: dict[str, Scenario] = {
    "upload_one": upload_one,
    "upload_many": upload_many,
    "resume_after_kill": resume_after_kill,
    "list_all": list_all,
    "batches": batches,
    "clients": clients,
}
OPT_IN = frozenset({"clients"})  # run only when named: a quarter of its seeds fail (docs)
DEFAULT_SCENARIOS = [name for name in SCENARIOS if name not in OPT_IN]
