"""The machine's bookkeeping: tasks (flows and calls), interleave groups, concurrency slots.

A *task* is one generator the machine steps: a flow (effects) or a call flow (sends and pauses).
Every task but the root has a parent, which it reports to when it ends; ending a task ends the
tasks it started, so nothing outlives the flow that asked for it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import deque
from collections.abc import Callable, Generator, Hashable, Sequence
from typing import Any

import attrs

log = logging.getLogger("kaltura_mm.client")


@attrs.define(eq=False)
class Group:
    """The sub-flows of one ``Interleave``: those still to start, the results, how many run."""

    parent: Task
    waiting: deque[tuple[int, Generator[Any, Any, Any]]]
    limit: int
    is_failure: Callable[[BaseException], bool]
    results: list[Any]
    running: int = 0

    @classmethod
    def of(
        cls,
        parent: Task,
        flows: Sequence[Generator[Any, Any, Any]],
        limit: int,
        is_failure: Callable[[BaseException], bool],
    ) -> Group:
        """Return the group running ``flows`` for ``parent``, ``limit`` (at least 1) at a time."""
        return cls(parent, deque(enumerate(flows)), max(1, limit), is_failure, [None] * len(flows))

    @property
    def finished(self) -> bool:
        """Return whether every sub-flow has ended."""
        return not self.waiting and not self.running

    def admit(self) -> list[Task]:
        """Start waiting sub-flows while fewer than ``limit`` run; return the new tasks."""
        started = []
        while self.waiting and self.running < self.limit:
            index, flow = self.waiting.popleft()
            sub = Task(flow, parent=self.parent, group=self, index=index)
            self.parent.children[sub] = None
            self.running += 1
            started.append(sub)
        return started

    def record(self, sub: Task, value: Any, error: BaseException | None) -> bool:
        """Record how ``sub`` ended; return False if its error must end the whole group."""
        self.parent.children.pop(sub, None)
        self.running -= 1
        if error is not None and not self.is_failure(error):
            return False
        self.results[sub.index] = error if error is not None else value
        return True

    def abandon(self) -> list[Task]:
        """Drop the group: close the sub-flows not started; return the running ones to end."""
        running = [t for t in self.parent.children if t.group is self]
        for sub in running:
            self.parent.children.pop(sub)
        for _, flow in self.waiting:
            flow.close()
        self.waiting.clear()
        self.running = 0
        self.parent.interleaving = None
        return running


@attrs.define(eq=False)
class Task:
    """One generator the machine steps, and what it waits for.

    A call task reports to its parent at once (``tag`` None: the parent yielded the call) or
    through the parent's ``inbox`` (a background call, reported as ``(tag, outcome)``).
    """

    gen: Generator[Any, Any, Any]
    is_call: bool = False
    parent: Task | None = None
    background: bool = False
    tag: Hashable = None
    group: Group | None = None  # the interleave this sub-flow belongs to
    index: int = 0
    interleaving: Group | None = None  # the interleave this flow waits for
    children: dict[Task, None] = attrs.field(factory=dict)  # ordered, by identity
    inbox: deque[tuple[Hashable, Any]] = attrs.field(factory=deque)
    running: int = 0  # background calls started and not yet reported
    waiting_next: bool = False
    send_id: int | None = None
    sent_at: float = 0.0  # on the machine's clock: when its request last went out
    held: Any = None  # a request waiting for the shared rate budget's turn (an ``Outgoing``)
    asking: Any = None  # a ``SharedLimit`` asked again once another process learned the window
    holding: bool = False  # held by the shared budget now (``held`` or ``asking``)
    holds_slot: bool = False
    over: bool = False


class Slots:
    """At most ``limit`` call tasks alive at once; the others wait in order for a free slot."""

    def __init__(self, limit: int) -> None:
        """Allow ``limit`` calls at once."""
        self.limit = limit
        self.used = 0
        self.queue: deque[Task] = deque()
        self._told = False

    def enter(self, task: Task) -> bool:
        """Give ``task`` a slot and return True, or queue it and return False."""
        if self.used < self.limit:
            self.used += 1
            task.holds_slot = True
            return True
        self.queue.append(task)
        if not self._told:
            # Said once per run: the flow asked for more calls at once than the client allows.
            self._told = True
            log.info(
                "%d calls asked for at once, max_concurrency=%d: the rest wait for a free slot "
                "(raise Config.max_concurrency to run them all at once)",
                self.used + len(self.queue),
                self.limit,
            )
        return False

    def leave(self, task: Task) -> Task | None:
        """Free ``task``'s slot (or its place in the queue); return the task that takes it."""
        if not task.holds_slot:
            if task in self.queue:
                self.queue.remove(task)
            return None
        task.holds_slot = False
        self.used -= 1
        while self.queue:
            waiting = self.queue.popleft()
            if not waiting.over:
                self.used += 1
                waiting.holds_slot = True
                return waiting
        return None


class Sleepers:
    """Tasks waiting for a deadline on the run's clock, earliest first (ties: first in)."""

    def __init__(self) -> None:
        """Start with no sleeper."""
        self._heap: list[tuple[float, int, Task]] = []
        self._order = itertools.count()

    def add(self, deadline: float, task: Task) -> None:
        """Wake ``task`` once the clock reaches ``deadline``."""
        heapq.heappush(self._heap, (deadline, next(self._order), task))

    def due(self, now: float) -> list[Task]:
        """Return (and forget) the live tasks whose deadline is ``now`` or past."""
        woken = []
        while self._heap and self._heap[0][0] <= now:
            task = heapq.heappop(self._heap)[2]
            if not task.over:
                woken.append(task)
        return woken

    def next_deadline(self) -> float | None:
        """Return the earliest deadline of a live task, or None if none sleeps."""
        while self._heap and self._heap[0][2].over:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def clear(self) -> None:
        """Forget every sleeper."""
        self._heap.clear()

    def __bool__(self) -> bool:
        return bool(self._heap)
