"""The one machine that runs flows: effects in, actions out, answers back in. Pure.

It steps the flow and everything the flow starts (calls with their retries and KS renewal,
background calls, interleaved sub-flows, sleeps) as tasks, in a fixed order: ready tasks first
in, first out; sleepers by deadline on the injected clock; sends numbered as they are made. So a
run fed the same answers, at the same clock readings, with the same seed, makes the same actions.
The adapter contract is in ``kaltura_mm.runtime``'s docstring.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Generator
from random import Random
from typing import Any

from kaltura_mm.errors import KalturaError
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime.actions import Action, Answer, Done, Item, Reply, Send, Wait
from kaltura_mm.runtime.effects import Draw, Emit, Interleave, NextDone, Now, Sleep, Start
from kaltura_mm.runtime.exchange import CallFlow, Pause, Target, exchange
from kaltura_mm.runtime.renewal import renewing
from kaltura_mm.runtime.retry import retrying
from kaltura_mm.runtime.settings import Settings
from kaltura_mm.runtime.tasks import Group, Slots, Task

Clock = Callable[[], float]
_PENDING = object()


class _Resume:
    """A handler's verdict: go on stepping the flow with ``value`` (or throw ``error``)."""

    __slots__ = ("error", "value")

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value = value
        self.error = error


def _check_flow(flow: object, what: str = "run() and iterate()") -> None:
    if isinstance(flow, Call | MultiRequest):
        raise TypeError(
            f"{what} take a flow (e.g. upload_file(...)); send a single Call with "
            "client.call(...) and a MultiRequest with client.multi(...)"
        )
    if not isinstance(flow, Generator):
        raise TypeError(f"{what} take a flow generator, not {type(flow).__name__}")


class Machine:
    """Runs one flow to its end: ``next_action()`` out, ``answer(...)`` in, ``close()`` when done.

    ``streaming`` says the caller iterates the flow's items (``Emit``): then a result is a
    ``TypeError``; ``False`` makes an ``Emit`` one; ``None`` (test drivers) takes both.
    """

    def __init__(
        self,
        flow: Generator[Any, Any, Any],
        settings: Settings,
        *,
        clock: Clock,
        random: Random,
        streaming: bool | None = False,
    ) -> None:
        """Prepare to run ``flow``; nothing runs before the first ``next_action()``."""
        _check_flow(flow)
        self._settings = settings
        self._clock = clock
        self._random = random
        self._streaming = streaming
        self._root = Task(flow)
        self._ready: deque[tuple[Task, Any, BaseException | None]] = deque(
            [(self._root, None, None)]
        )
        self._sleepers: list[tuple[float, int, Task]] = []
        self._sends: dict[int, Task] = {}
        self._outbox: deque[Action] = deque()
        self._slots = Slots(settings.max_concurrency)
        self._ids = itertools.count(1)
        self._order = itertools.count()
        self._result: Any = _PENDING
        self._closed = False

    # ---- the adapter's side ---------------------------------------------------------------------

    def next_action(self) -> Action:
        """Step until there is something for the adapter to do; raise what the flow raised."""
        if self._closed:
            raise RuntimeError("the run is closed: it ended, or its consumer stopped it")
        try:
            return self._next()
        except BaseException:
            self.close()
            raise

    def answer(self, answer: Answer) -> None:
        """Take the answer to a send (an answer to a send no task waits for is dropped)."""
        task = self._sends.pop(answer.id, None)
        if task is None:
            return
        task.send_id = None
        if isinstance(answer, Reply):
            self._ready.append((task, answer, None))
        else:
            self._ready.append((task, None, answer.error))

    def close(self) -> None:
        """End the run: close every generator; later answers are dropped."""
        if self._closed:
            return
        self._closed = True
        self._end(self._root)
        for queue in (self._ready, self._outbox, self._sleepers, self._sends):
            queue.clear()

    def _next(self) -> Action:
        while True:
            while self._outbox:
                action = self._outbox.popleft()
                if not isinstance(action, Send) or action.id in self._sends:
                    return action
            if self._result is not _PENDING:
                return Done(self._result)
            if self._ready:
                self._resume(*self._ready.popleft())
            elif not self._wake():
                return self._wait()

    def _wait(self) -> Wait:
        while self._sleepers and self._sleepers[0][2].over:
            heapq.heappop(self._sleepers)
        if not self._sends and not self._sleepers:
            raise RuntimeError("the flow waits for something that will never come")
        return Wait(self._sleepers[0][0] if self._sleepers else None)

    def _wake(self) -> bool:
        if not self._sleepers:
            return False
        now, woke = self._clock(), False
        while self._sleepers and self._sleepers[0][0] <= now:
            task = heapq.heappop(self._sleepers)[2]
            if not task.over:
                self._ready.append((task, None, None))
                woke = True
        return woke

    # ---- flows ----------------------------------------------------------------------------------

    def _resume(self, task: Task, value: Any, error: BaseException | None) -> None:
        if task.over:
            return
        if task.is_call:
            self._step_call(task, value, error)
        else:
            self._step_flow(task, value, error)

    def _step_flow(self, task: Task, value: Any, error: BaseException | None) -> None:
        while True:
            try:
                effect = task.gen.throw(error) if error is not None else task.gen.send(value)
            except StopIteration as stop:
                return self._end_flow(task, stop.value, None)
            except Exception as exc:
                return self._end_flow(task, None, exc)
            verdict = self._effect(task, effect)
            if verdict is None:
                return
            value, error = verdict.value, verdict.error

    def _effect(self, task: Task, effect: Any) -> _Resume | None:
        """Carry ``effect`` out; return how the flow goes on at once, or None if it now waits."""
        if isinstance(effect, Call | MultiRequest):
            self._start_call(task, effect)
        elif isinstance(effect, Start):
            self._start_call(task, effect.call, tag=effect.tag, background=True)
            return _Resume()
        elif isinstance(effect, NextDone):
            return self._next_done(task)
        elif isinstance(effect, Sleep):
            self._sleep(task, effect.seconds)
        elif isinstance(effect, Now):
            return _Resume(self._clock())
        elif isinstance(effect, Draw):
            return _Resume(self._random.random())
        elif isinstance(effect, Emit):
            self._emit(task, effect.item)
        elif isinstance(effect, Interleave):
            self._interleave(task, effect)
        else:
            task.gen.close()
            raise TypeError(f"a flow yielded {effect!r}, which is not an effect")
        return None

    def _next_done(self, task: Task) -> _Resume | None:
        if task.inbox:
            return _Resume(task.inbox.popleft())
        if not task.running:
            return _Resume(error=LookupError("the flow waited for NextDone() with nothing running"))
        task.waiting_next = True
        return None

    def _sleep(self, task: Task, seconds: float) -> None:
        deadline = self._clock() + seconds
        heapq.heappush(self._sleepers, (deadline, next(self._order), task))

    def _emit(self, task: Task, item: Any) -> None:
        if self._streaming is False:
            raise TypeError(
                "run() was given a stream (it emits items): iterate over it with "
                "client.iterate(...) instead"
            )
        self._outbox.append(Item(item))
        self._ready.append((task, None, None))

    def _end_flow(self, task: Task, value: Any, error: BaseException | None) -> None:
        self._end(task)
        if task is self._root:
            if error is not None:
                raise error
            if self._streaming is True and value is not None:
                raise TypeError(
                    f"iterate() was given a flow with a result ({type(value).__name__}): "
                    "run it with client.run(...) to get that result"
                )
            self._result = value
            return
        assert task.group is not None and task.parent is not None
        self._sub_flow_ended(task.group, task, value, error)

    # ---- interleaving ---------------------------------------------------------------------------

    def _interleave(self, parent: Task, effect: Interleave) -> None:
        for flow in effect.flows:
            _check_flow(flow, "Interleave(...) and interleave()")
        flows = deque(enumerate(effect.flows))
        group = Group(parent, flows, max(1, effect.limit), effect.is_failure, [None] * len(flows))
        parent.interleaving = group
        self._admit(group)
        if group.finished:
            self._ready.append((parent, group.results, None))

    def _admit(self, group: Group) -> None:
        while group.waiting and group.running < group.limit:
            index, flow = group.waiting.popleft()
            sub = Task(flow, parent=group.parent, group=group, index=index)
            group.parent.children[sub] = None
            group.running += 1
            self._ready.append((sub, None, None))

    def _sub_flow_ended(
        self, group: Group, sub: Task, value: Any, error: BaseException | None
    ) -> None:
        parent = group.parent
        parent.children.pop(sub, None)
        group.running -= 1
        if error is not None and not group.is_failure(error):
            self._abandon(group)
            self._ready.append((parent, None, error))
            return
        group.results[sub.index] = error if error is not None else value
        self._admit(group)
        if group.finished:
            parent.interleaving = None
            self._ready.append((parent, group.results, None))

    def _abandon(self, group: Group) -> None:
        """End a group's sub-flows: one raised what ends them all."""
        parent = group.parent
        for sub in [t for t in parent.children if t.group is group]:
            parent.children.pop(sub)
            self._end(sub)
        for _, flow in group.waiting:
            flow.close()
        group.waiting.clear()
        group.running = 0
        parent.interleaving = None

    # ---- calls ----------------------------------------------------------------------------------

    def _start_call(
        self, parent: Task, target: Target, *, tag: Any = None, background: bool = False
    ) -> None:
        task = Task(self._call_flow(target), is_call=True, parent=parent, background=background)
        task.tag = tag
        parent.children[task] = None
        if background:
            parent.running += 1
        if self._slots.enter(task):
            self._ready.append((task, None, None))

    def _call_flow(self, target: Target) -> CallFlow:
        """Return the generator that sends ``target``: renewal around retries around attempts."""
        settings, random = self._settings, self._random

        def attempt() -> CallFlow:
            ks = settings.ks.current()
            return exchange(target, ks, settings.client_tag, settings.secrets, random)

        return renewing(settings.ks, lambda: retrying(target, settings.retry, random, attempt))

    def _step_call(self, task: Task, value: Any, error: BaseException | None) -> None:
        try:
            out = task.gen.throw(error) if error is not None else task.gen.send(value)
        except StopIteration as stop:
            return self._end_call(task, stop.value, None)
        except KalturaError as exc:
            return self._end_call(task, None, exc)
        if isinstance(out, Pause):
            return self._sleep(task, out.seconds)
        task.send_id = next(self._ids)
        self._sends[task.send_id] = task
        self._outbox.append(Send(task.send_id, out.request, out.target))
        return None

    def _end_call(self, task: Task, value: Any, error: KalturaError | None) -> None:
        parent = task.parent
        assert parent is not None
        self._end(task)
        parent.children.pop(task, None)
        if not task.background:
            self._ready.append((parent, value, error))
            return
        parent.running -= 1
        report = (task.tag, error if error is not None else value)
        if parent.waiting_next:
            parent.waiting_next = False
            self._ready.append((parent, report, None))
        else:
            parent.inbox.append(report)

    # ---- ending ---------------------------------------------------------------------------------

    def _end(self, task: Task) -> None:
        """Mark ``task`` over and end what it started; free its slot and its send."""
        if task.over:
            return
        task.over = True
        for child in list(task.children):
            self._end(child)
        task.children.clear()
        if task.interleaving is not None:
            for _, flow in task.interleaving.waiting:
                flow.close()
            task.interleaving = None
        if task.send_id is not None:
            self._sends.pop(task.send_id, None)
        taker = self._slots.leave(task) if task.is_call else None
        if taker is not None:
            self._ready.append((taker, None, None))
        task.gen.close()
