"""A job's items divided among workers by leases, on SQLite and PostgreSQL (each test: both)."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from kaltura_mm.jobs import ClaimedItem, JobQueue, work
from kaltura_mm.store import Store, StoreError, open_store

ITEMS = [{"entry_id": f"0_{n:04d}"} for n in range(40)]


def _job(store: Store, lease: float = 30.0, items: Sequence[Mapping[str, Any]] = ITEMS) -> Any:
    return JobQueue(store).create("delete", "target", {"missing_ok": True}, items, lease)


def test_a_job_is_found_by_its_id_with_its_spec_and_items(store: Store) -> None:
    queue = JobQueue(store)
    job = _job(store)
    again = queue.job(job.job_id)
    assert (again.kind, again.items, dict(again.spec)) == ("delete", 40, {"missing_ok": True})
    assert [j.job_id for j in queue.jobs()] == [job.job_id]
    assert queue.progress(job.job_id).free == 40
    with pytest.raises(StoreError, match="no job 'nope'"):
        queue.job("nope")


def test_claims_never_hand_one_item_to_two_workers(store: Store) -> None:
    queue = JobQueue(store)
    job = _job(store)
    first = queue.claim(job.job_id, "a", 15, job.lease)
    second = queue.claim(job.job_id, "b", 15, job.lease)
    third = queue.claim(job.job_id, "c", 15, job.lease)
    seqs = [c.seq for c in first + second + third]
    assert sorted(seqs) == list(range(40)) and len(set(seqs)) == 40
    assert first[0].payload == {"entry_id": "0_0000"}
    assert queue.claim(job.job_id, "d", 15, job.lease) == []
    assert queue.progress(job.job_id).held == 40


def test_an_item_whose_lease_ended_is_claimed_again_and_its_outcome_kept_once(
    store: Store,
) -> None:
    queue = JobQueue(store)
    job = _job(store, lease=0.3, items=ITEMS[:3])
    taken = queue.claim(job.job_id, "dead", 3, job.lease)
    assert queue.claim(job.job_id, "live", 3, job.lease) == []  # held
    time.sleep(0.4)  # the dead worker's lease ends on the database's clock
    again = queue.claim(job.job_id, "live", 3, 30)
    assert [c.seq for c in again] == [c.seq for c in taken] and again[0].claims == 2
    assert queue.finish(job.job_id, "live", {0: {"status": "deleted"}}) == {0}
    assert queue.finish(job.job_id, "dead", {0: {"status": "late"}}) == set()  # kept once
    outcomes = {item.seq: outcome for item, outcome in queue.outcomes(job.job_id)}
    assert outcomes[0] == {"status": "deleted"} and outcomes[1] is None


def test_a_heartbeat_keeps_a_workers_items(store: Store) -> None:
    queue = JobQueue(store)
    job = _job(store, lease=0.5, items=ITEMS[:2])
    queue.claim(job.job_id, "slow", 2, job.lease)
    for _ in range(3):
        time.sleep(0.25)
        assert queue.heartbeat(job.job_id, "slow", job.lease) == 2
    assert queue.claim(job.job_id, "other", 2, job.lease) == []


def test_given_back_items_are_free_at_once(store: Store) -> None:
    queue = JobQueue(store)
    job = _job(store, items=ITEMS[:4])
    queue.claim(job.job_id, "a", 4, job.lease)
    queue.release(job.job_id, "a", [1, 3])
    assert [c.seq for c in queue.claim(job.job_id, "b", 4, job.lease)] == [1, 3]


def test_workers_in_threads_finish_a_job_each_item_once(location: str) -> None:
    setup = open_store(location)
    job = _job(setup, lease=5)
    done: list[str] = []
    lock = threading.Lock()

    def run(name: str) -> None:
        store = open_store(location)  # each worker its own connection, as processes would
        queue = JobQueue(store)

        def handle(items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
            with lock:
                done.extend(str(c.payload["entry_id"]) for c in items)
            return {c.seq: {"entry_id": c.payload["entry_id"], "by": name} for c in items}

        work(queue, queue.job(job.job_id), handle, worker=name, batch=3)
        store.close()

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue = JobQueue(setup)
    assert sorted(done) == sorted(i["entry_id"] for i in ITEMS)  # each item handled once
    assert queue.progress(job.job_id).finished
    seen = queue.workers(job.job_id, job.lease)
    assert sorted(w.worker for w in seen) == ["w0", "w1", "w2"]
    assert sum(w.done for w in seen) == 40
    setup.close()


def test_a_worker_that_stops_gives_its_unfinished_items_back(store: Store) -> None:
    queue = JobQueue(store)
    job = _job(store, items=ITEMS[:6])

    def half(items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
        return {c.seq: ({"ok": True} if c.seq % 2 == 0 else None) for c in items}

    run = work(queue, job, half, worker="a", batch=6)
    assert (run.recorded, run.released, run.stopped) == (3, 3, True)
    assert queue.progress(job.job_id).free == 3


def test_a_worker_waits_for_items_others_hold_and_takes_them_when_their_lease_ends(
    store: Store,
) -> None:
    queue = JobQueue(store)
    job = _job(store, lease=0.6, items=ITEMS[:2])
    queue.claim(job.job_id, "killed", 1, job.lease)  # never heard of again
    started = time.monotonic()
    run = work(queue, job, lambda items: {c.seq: {"ok": 1} for c in items}, worker="b", poll=0.1)
    assert run.recorded == 2 and queue.progress(job.job_id).finished
    assert 0.5 < time.monotonic() - started < 5


def test_claims_at_once_take_at_most_n_items_each(location: str) -> None:
    setup = open_store(location)
    job = JobQueue(setup).create("delete", "t", {}, ({"n": n} for n in range(600)), 60)
    sizes: list[int] = []
    taken: list[int] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        store = open_store(location)
        queue = JobQueue(store)
        while claimed := queue.claim(job.job_id, name, 25, 60):
            queue.finish(job.job_id, name, {c.seq: {"ok": True} for c in claimed})
            with lock:
                sizes.append(len(claimed))
                taken.extend(c.seq for c in claimed)
        store.close()

    threads = [threading.Thread(target=claimer, args=(f"c{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(sizes) <= 25  # PostgreSQL once ran the picking subquery again per row
    assert sorted(taken) == list(range(600))
    setup.close()


def test_a_queue_on_a_given_clock_ends_leases_by_that_clock_alone(store: Store) -> None:
    now = [1_700_000_000.0]
    queue = JobQueue(store, clock=lambda: now[0])
    job = queue.create("delete", "target", {}, ITEMS[:2], 60.0)
    assert job.created_at == now[0] and queue.now() == now[0]
    queue.claim(job.job_id, "dead", 2, job.lease)
    now[0] += 59.0
    assert queue.claim(job.job_id, "live", 2, job.lease) == []  # no real time passes
    now[0] += 2.0
    assert [c.seq for c in queue.claim(job.job_id, "live", 2, job.lease)] == [0, 1]


def test_a_worker_waits_and_keeps_its_leases_as_it_is_told(store: Store) -> None:
    now = [1_700_000_000.0]
    queue = JobQueue(store, clock=lambda: now[0])
    job = queue.create("delete", "target", {}, ITEMS[:2], 10.0)
    queue.claim(job.job_id, "other", 1, job.lease)  # item 0, until its lease ends
    slept: list[float] = []
    beats: list[str] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    class Beat:
        def __init__(self, _queue: JobQueue, _job: Any, worker: str) -> None:
            beats.append(worker)

        def __enter__(self) -> None:
            return None

        def __exit__(self, *_exc: object) -> None:
            return None

    def handle(items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
        return {c.seq: {"status": "deleted"} for c in items}

    run = work(queue, job, handle, worker="me", batch=1, sleep=sleep, heartbeat=Beat)
    assert run.recorded == 2 and beats == ["me", "me"]
    assert slept == [1.0] * 11  # a second at a time until the other's 10 s lease ended
