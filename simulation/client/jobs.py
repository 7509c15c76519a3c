"""``run_job`` of the client driver: kaltura-mm's job queue and worker loop against the model.

The job is made in a SQLite store in the run's directory by ``kaltura_mm.jobs.JobQueue``, its
clock the virtual one (``JobQueue(store, clock=...)``). Each worker is ``kaltura_mm.jobs.work``
in a task of ``simulation.client.baton`` (one runs at a time), with its own client process
(its own KS, jitter and machine per batch, over ``TaskNet``), waiting on virtual time
(``sleep=task.sleep``) and keeping its leases alive with a heartbeat on the main thread every
third of the lease (``heartbeat=``), as the real worker's thread does. Its handler runs what
the client driver runs for one process (``ClientProcess.upload`` / ``batch("delete")``), so a
file is found again by its referenceId and saved state, and a delete a dead worker had sent
counts as known to exist (the CLI's shared deletion log), as ``upload``/``delete --workers`` do.

As the job's request number ``plan.kill_at`` is about to leave, the worker sending it (which
holds leases: it sends only while it works on items it claimed) is killed: it never runs again,
its heartbeat stops, its leases end in their time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.budget import Gate, StoreBudget
from kaltura_mm.jobs import ClaimedItem, JobQueue, StoredJob, work
from kaltura_mm.store import open_store
from simulation.client.adapter import Adapter
from simulation.client.baton import Baton, Task, TaskNet
from simulation.client.process import ClientDriver, ClientProcess
from simulation.job_workers import JobPlan, JobReport
from simulation.world import World


class _Worker:
    """One worker: its task, its client process, the items it holds now."""

    def __init__(self, run: _JobRun, index: int) -> None:
        self.run, self.index = run, index
        self.name = f"sim-worker-{index}"
        self.holding: list[int] = []
        self.task = run.baton.spawn(self.main)
        self.process: ClientProcess | None = None

    def main(self, task: Task) -> None:
        run = self.run
        world, setup = run.world, run.setup
        process = ClientProcess(run.driver, world, setup)
        process.rng = world.stream(f"job-worker-{self.index}")
        config = setup.config
        # every worker shares one rate budget, as the CLI's workers do (it is on by default)
        gate = Gate(lambda: run.budget, config.service_url, str(config.partner_id), "sim")
        settings = setup.settings(world, process.rng)
        process.settings = attrs.evolve(settings, shared_budget=True)  # its adapter asks the gate
        net = TaskNet(task, lambda: run.killing(self))
        adapter = Adapter(net, config.service_url, config.timeouts.read)  # type: ignore[arg-type]
        adapter.gate = gate
        process.adapter = adapter
        self.process = process
        queue = JobQueue(run.store, clock=world.clock.now)
        work(
            queue,
            run.job,
            self.handle,
            worker=self.name,
            batch=run.plan.batch,
            sleep=task.sleep,
            heartbeat=self.heartbeat,
        )

    def handle(self, items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
        assert self.process is not None
        started = self.run.world.clock.now()
        self.holding = [c.seq for c in items]
        if self.run.plan.kind == "upload":
            names = [str(c.payload["file"]) for c in items]
            files = [f for f in self.run.plan.files if f.name in names]
            done = self.process.upload(files, self.run.plan.category)
            outcomes: dict[int, Mapping[str, Any] | None] = {
                c.seq: {"entry_id": done.get(str(c.payload["file"]))} for c in items
            }
        else:
            ids = [str(c.payload["entry_id"]) for c in items]
            said = self.process.batch("delete", ids)
            outcomes = {
                c.seq: {"status": said.get(i, "no outcome")}
                for c, i in zip(items, ids, strict=True)
            }
        self.holding = []
        now = self.run.world.clock.now()
        self.run.report.longest_batch = max(self.run.report.longest_batch, now - started)
        for seq in outcomes:
            self.run.report.done_at.setdefault(seq, now)
        return outcomes

    @contextlib.contextmanager
    def heartbeat(self, queue: JobQueue, job: StoredJob, worker: str) -> Iterator[None]:
        """Renew the leases every third of the lease on the main thread while the block runs."""
        beating = [True]

        def beat() -> None:
            if beating[0] and not self.task.killed:
                queue.heartbeat(job.job_id, worker, job.lease)
                self.run.baton.at(self.run.world.clock.now() + job.lease / 3, beat)

        self.run.baton.at(self.run.world.clock.now() + job.lease / 3, beat)
        try:
            yield
        finally:
            beating[0] = False


class _JobRun:
    """One job's run: the store, the job, the workers, the kill."""

    def __init__(self, driver: ClientDriver, world: World, plan: JobPlan) -> None:
        self.driver, self.world, self.plan = driver, world, plan
        self.setup = driver.process(world).setup  # the run's client configuration, drawn once
        self.store = open_store(driver.root / "jobs.db", file=True)
        budget_store = open_store(driver.root / "budget.sqlite3", file=True)
        self.budget = StoreBudget(budget_store, clock=world.clock.now)
        queue = JobQueue(self.store, clock=world.clock.now)
        self.job = queue.create(plan.kind, "simulation", {}, plan.items, plan.lease)
        self.queue = queue
        self.baton = Baton(world.net)
        self.report = JobReport([], poll=min(1.0, plan.lease / 4))
        self.workers = [_Worker(self, i) for i in range(plan.workers)]
        self.sent = 0

    def killing(self, worker: _Worker) -> bool:
        """Count the job's requests; return True for the one at which ``worker`` dies."""
        self.sent += 1
        if self.sent != self.plan.kill_at:
            return False
        self.report.killed_at = self.world.clock.now()
        self.report.killed_items = list(worker.holding)
        return True

    def run(self) -> JobReport:
        try:
            self.baton.run()
        finally:
            self.baton.close()
        outcomes = self.queue.outcomes(self.job.job_id)
        self.report.outcomes = [(dict(c.payload), _plain(o)) for c, o in outcomes]
        self.report.claims = {c.seq: c.claims for c, _ in outcomes}
        self.store.close()
        self.budget.close()
        return self.report


def _plain(outcome: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if outcome is None else dict(outcome)


def run_job(driver: ClientDriver, world: World, plan: JobPlan) -> JobReport:
    """Run ``plan``'s job with its workers against the model; return what happened."""
    return _JobRun(driver, world, plan).run()
