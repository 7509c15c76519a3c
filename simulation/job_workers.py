"""The ``job_workers`` scenario: one job, N workers, one of them killed while it holds leases.

Issue 18 D and F: a job's items (files to upload into a category, or entry ids to delete) are
made into one job of kaltura-mm's real job queue (``kaltura_mm.jobs``, on a SQLite store, its
leases counted on the virtual clock), and 2 to 4 workers (``kaltura_mm.jobs.work``) take them
at once, each with its own client, against the model's server and its rate limiter (a limit on
the job's action in every seed). At a seeded moment one worker that holds leases is killed:
it does nothing more, its requests in flight still run, its leases are not given back; the
others take its items when its lease ends. The kill comes as the worker sends the job's
request number ``kill_at`` (drawn up to about half what the job takes without faults,
``_last_kill``), so the killed worker holds leases then, and the request is not sent. What
must hold:

- each item's effect exactly once on the server: one live READY entry per file holding its
  bytes (``no_duplicate``, ``ready_identical``); each entry asked deleted is deleted, and no other
  (``reported_truth``);
- the job's one report (its outcomes in the store) is truthful: each item has one outcome, the
  entry id a file's says holds it, a delete's says ok (``reported_truth``);
- requests bounded (``bounded``): the work of the items, per worker and one more process for
  the killed one's share;
- the dead worker's items are finished within its lease plus a bound (``lease_bound``): the
  poll interval plus two of the longest batches a worker ran (the live workers finish what they
  hold, then the next claim takes the dead items first, being the lowest numbers left).

Only drivers with ``run_job`` run it (the client driver); the reference driver has no lease
queue, so the scenario is a model gap there. It is not in the default scenarios: ``.ci/run``
runs it on a line of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from simulation import bounds
from simulation.drivers import Driver
from simulation.invariants import Checker
from simulation.knobs import RateRule
from simulation.model import NotModelled
from simulation.model.limiter import RateLimiter
from simulation.model.records import DELETED
from simulation.reference.upload import SourceFile
from simulation.scenarios import _seed_entries, make_files
from simulation.world import World

LEASES = (30.0, 60.0, 120.0)  # kaltura-mm's default is 60 s
SLACK = 10.0  # seconds: a claim's own step, a request in flight when the lease ended


@dataclass(frozen=True)
class JobPlan:
    """What the scenario asks of the driver: a job and how to run it."""

    kind: str  # "upload" or "delete"
    items: list[dict[str, Any]]  # payloads: {"file": name} or {"entry_id": id}
    files: list[SourceFile]
    category: int | None
    workers: int
    lease: float
    batch: int
    kill_at: int  # the job's request at which the worker sending it is killed (it holds leases)


@dataclass
class JobReport:
    """What the driver saw: the job's report and when things happened (virtual seconds)."""

    outcomes: list[tuple[dict[str, Any], dict[str, Any] | None]]
    poll: float
    killed_at: float | None = None
    killed_items: list[int] = field(default_factory=list)
    done_at: dict[int, float] = field(default_factory=dict)
    longest_batch: float = 0.0
    claims: dict[int, int] = field(default_factory=dict)  # item -> how often it was claimed


class JobDriver(Protocol):
    """A driver that runs a job with workers (``run_job``)."""

    def run_job(self, world: World, plan: JobPlan) -> JobReport:
        """Run ``plan``'s job to the end with its workers, one killed; return the report."""
        ...


def job_workers(world: World, driver: Driver, checker: Checker) -> None:
    """Run one job on N workers, kill one holding leases, check the server and the report."""
    run_job = getattr(driver, "run_job", None)
    if run_job is None:
        raise NotModelled(f"job workers: the {driver.name} driver has no lease queue")
    rng = world.rng
    kind = rng.choice(("upload", "delete"))
    _limit(world, kind)
    workers, lease = rng.randint(2, 4), rng.choice(LEASES)
    category = world.category("Sim>Lectures" if kind == "upload" else "Sim>A")
    files: list[SourceFile] = []
    untouched: list[str] = []
    if kind == "upload":
        files = make_files(rng, rng.randint(workers, 4 * workers), most_chunks=4)
        items = [{"file": f.name} for f in files]
        world.net.budget = bounds.uploads(files, world.schedule, kills=1)
        batch = rng.randint(1, 3)
    else:
        ids = _seed_entries(world, category, rng.randint(20, 150))
        doomed = rng.sample(ids, len(ids) * 4 // 5)
        untouched = [i for i in ids if i not in set(doomed)]
        items = [{"entry_id": i} for i in doomed]
        batch = rng.choice((5, 10, 25))
        runs = -(-len(doomed) // batch) + workers + 1  # each batch, a last short one per worker
        world.net.budget = bounds.batches(len(doomed), runs, kills=1)
    started = world.clock.now()
    kill_at = rng.randint(1, max(1, _last_kill(kind, files, len(items), batch)))
    plan = JobPlan(kind, items, files, category, workers, lease, batch, kill_at)
    report: JobReport = run_job(world, plan)
    world.net.settle()
    truth = world.model.truth()
    missing = [str(p) for p, outcome in report.outcomes if outcome is None]
    if missing:
        checker.fail("reported_truth", f"{len(missing)} items of the job have no outcome")
    if kind == "upload":
        said = {str(p["file"]): str(o.get("entry_id")) for p, o in report.outcomes if o}
        reported = {name: entry for name, entry in said.items() if entry != "None"}
        checker.uploads(truth, files, reported, started)
    else:
        bad = [str(p["entry_id"]) for p, o in report.outcomes if o and o.get("status") != "ok"]
        if bad:
            checker.fail("reported_truth", f"{len(bad)} deletes not reported done", bad)
        wrong = [str(p["entry_id"]) for p, _ in report.outcomes]
        wrong = [i for i in wrong if truth.entries[i].status != DELETED]
        wrong += [i for i in untouched if truth.entries[i].status == DELETED]
        if wrong:
            checker.fail(
                "reported_truth", f"{len(wrong)} entries not in the state asked for", wrong
            )
    _lease_bound(checker, report, plan)


def _last_kill(kind: str, files: list[SourceFile], items: int, batch: int) -> int:
    """Return the latest request the kill may come at: about half the requests the job takes
    with no fault. An upload's file takes at least one request per chunk besides its head and
    tail (a small file: its create alone, which carries it); a batch of deletes, one request."""
    if kind == "upload":
        return sum(max(1, bounds.chunks_of(f) - 2) for f in files) // 2
    return -(-items // batch) // 2


def _limit(world: World, kind: str) -> None:
    """Make sure the job's action meets the model's limiter: the schedule's rules, plus one on
    the job's action when the seed drew none (30 deletes, 60 chunks per 10 s)."""
    rules = world.schedule.model.rate_limits
    action = ("uploadtoken", "upload", 60) if kind == "upload" else ("baseentry", "delete", 30)
    if not any((r.service, r.action) == action[:2] for r in rules):
        rules = (*rules, RateRule(action[0], action[1], action[2], 10.0))
    world.model.state.limiter = RateLimiter(rules)


def _lease_bound(checker: Checker, report: JobReport, plan: JobPlan) -> None:
    """Check the killed worker's items were finished within its lease plus the bound."""
    if report.killed_at is None:
        checker.fail("lease_bound", f"the job ended before its request {plan.kill_at}: no kill")
        return
    bound = plan.lease + report.poll + 2 * report.longest_batch + SLACK
    late = [
        str(seq)
        for seq in report.killed_items
        if report.done_at.get(seq, float("inf")) - report.killed_at > bound
    ]
    if late:
        detail = f"{len(late)} items of the killed worker not finished within {bound:.0f} s"
        checker.fail("lease_bound", detail, late)


JOB_SCENARIOS = {"job_workers": job_workers}  # opt-in: ``--scenario job_workers``
