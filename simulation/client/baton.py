"""Several blocking workers on one network and one virtual clock, one at a time, by seed.

kaltura-mm's job worker (``kaltura_mm.jobs.work``) is a blocking loop: it claims items, runs the
client's flows on them, records outcomes. To run N of them against the model at once, each runs
in a thread of its own, but only one thread ever runs: the one holding the baton. A worker gives
the baton back whenever it waits (for an answer, or for a time), and the main thread then either
hands it to the first worker (in the order they were started) that can go on, or, when none can,
moves the world: fires the timers due (heartbeats, the kill) and runs the network until an
answer arrives or the next wake-up. Nothing depends on how the OS schedules threads, so a run
replays exactly from its seed.

A killed task never runs again (its thread stays parked, as a SIGKILLed process does nothing
more); its requests in flight still run on the server and their answers are dropped. At the end
(``close``) every parked thread is woken with ``Dead`` raised inside it, so it unwinds and ends.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from typing import Any

from simulation.http import HttpRequest
from simulation.network import Answer, Network


class Dead(BaseException):  # a signal, not an error
    """Raised inside a killed task's thread when the run ends, so that it unwinds."""


class Task:
    """One worker's thread and what it waits for."""

    def __init__(self, baton: Baton, index: int, body: Callable[[Task], Any]) -> None:
        self.baton, self.index = baton, index
        self.inbox: list[Answer] = []
        self.wake_at: float | None = None  # None: only an answer wakes it
        self.started = self.finished = self.killed = False
        self.error: BaseException | None = None
        self._go = threading.Semaphore(0)
        self._thread = threading.Thread(
            target=self._main, args=(body,), name=f"sim-worker-{index}", daemon=True
        )
        self._thread.start()

    def _main(self, body: Callable[[Task], Any]) -> None:
        self._go.acquire()
        try:
            if not self.killed:
                body(self)
        except Dead:
            pass
        except BaseException as error:  # handed to the main thread
            self.error = error
        finally:
            self.finished = True
            self.baton.back.release()

    def wait(self, until: float | None) -> list[Answer]:
        """Give the baton back until an answer to this task arrives or ``until`` (None: an
        answer only); return the answers (maybe none). Raises ``Dead`` once killed."""
        self.wake_at = until
        self.baton.back.release()
        self._go.acquire()
        if self.killed:
            raise Dead
        answers, self.inbox = self.inbox, []
        return answers

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of virtual time (answers meanwhile are dropped: none is owed)."""
        end = self.baton.net.clock.now() + seconds
        while self.baton.net.clock.now() < end:
            self.wait(end)

    def ready(self, now: float) -> bool:
        """Return whether the task can go on now."""
        if self.finished or self.killed:
            return False
        due = self.wake_at is not None and self.wake_at <= now
        return not self.started or bool(self.inbox) or due

    def resume(self) -> None:
        """Hand the baton to this task until it waits or ends (main thread only)."""
        self.started = True
        self._go.release()
        self.baton.back.acquire()

    def unwind(self) -> None:
        """Wake a parked (killed or abandoned) task with ``Dead`` and let its thread end."""
        if not self.finished:
            self.killed = True
            self._go.release()
            self.baton.back.acquire()
        self._thread.join()


class TaskNet:
    """The network as one task sees it (what ``simulation.client.adapter.Adapter`` uses)."""

    def __init__(self, task: Task, kill_at: Callable[[], bool] = lambda: False) -> None:
        self.task, self.net, self.kill_at = task, task.baton.net, kill_at
        self.clock, self.faults = self.net.clock, self.net.faults

    def send(self, request: HttpRequest) -> int:
        """Send for this task: its answer comes back to it alone. When ``kill_at()`` says so,
        the task is killed instead, before the request leaves (the network's kill points)."""
        if self.kill_at():
            self.task.baton.kill(self.task)
            self.task.wait(None)  # never resumed but to unwind: raises ``Dead``
        ticket = self.net.send(request)
        self.task.baton.owners[ticket] = self.task
        return ticket

    def wait(self, until: float | None) -> list[Answer]:
        """Wait as the task: the others run meanwhile."""
        return self.task.wait(until)


class Baton:
    """Run tasks one at a time over ``net``, with timers on the main thread."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.back = threading.Semaphore(0)
        self.tasks: list[Task] = []
        self.owners: dict[int, Task] = {}  # network ticket -> the task that sent it
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._serial = 0

    def spawn(self, body: Callable[[Task], Any]) -> Task:
        """Start a task running ``body(task)`` (it first runs at the next ``run`` step)."""
        task = Task(self, len(self.tasks), body)
        self.tasks.append(task)
        return task

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run ``action`` on the main thread at virtual time ``when``."""
        self._serial += 1
        heapq.heappush(self._timers, (when, self._serial, action))

    def run(self) -> None:
        """Run until every task ended or was killed; raise the first task's error."""
        while True:
            now = self.net.clock.now()
            while self._timers and self._timers[0][0] <= now:
                heapq.heappop(self._timers)[2]()
            live = [t for t in self.tasks if not (t.finished or t.killed)]
            failed = next((t.error for t in self.tasks if t.error is not None), None)
            if failed is not None:
                raise failed
            if not live:
                return
            ready = next((t for t in live if t.ready(now)), None)
            if ready is not None:
                ready.resume()
                continue
            self._advance(live)

    def _advance(self, live: list[Task]) -> None:
        times = [t.wake_at for t in live if t.wake_at is not None]
        times += [self._timers[0][0]] if self._timers else []
        for answer in self.net.wait(min(times, default=None)):
            owner = self.owners.pop(answer.ticket, None)
            if owner is not None and not owner.killed:
                owner.inbox.append(answer)

    def kill(self, task: Task) -> None:
        """Kill ``task``: it never runs again; answers owed to it are dropped."""
        task.killed = True
        task.inbox.clear()

    def close(self) -> None:
        """Unwind every task's thread (killed, or left when the run stopped)."""
        for task in self.tasks:
            task.unwind()
