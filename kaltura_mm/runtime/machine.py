"""The one machine that runs flows: effects in, actions out, answers back in. Pure.

It steps the flow and everything the flow starts (calls with their retries and KS renewal,
background calls, interleaved sub-flows, sleeps) as tasks, in a fixed order: ready tasks first
in, first out; sleepers by deadline on the injected clock; sends numbered as they are made. So a
run fed the same answers, at the same clock readings, with the same seed, makes the same actions.
The adapter contract is in ``kaltura_mm.runtime``'s docstring.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Generator
from random import Random
from typing import Any

import attrs

from kaltura_mm.errors import ApiError, KalturaError, TransportError
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.runtime.actions import (
    Action,
    Answer,
    AskBudget,
    BudgetAnswer,
    BudgetQuestion,
    Charge,
    Done,
    Item,
    KnownLimit,
    Learning,
    Reply,
    Send,
    Wait,
)
from kaltura_mm.runtime.effects import (
    Backoff,
    Draw,
    Emit,
    Interleave,
    NextDone,
    Now,
    Reach,
    Reached,
    SharedLimit,
    Sleep,
    Start,
    check_flow,
)
from kaltura_mm.runtime.exchange import Outgoing, Pause, Sendable
from kaltura_mm.runtime.questions import Questions
from kaltura_mm.runtime.retry import full_jitter
from kaltura_mm.runtime.sending import call_flow
from kaltura_mm.runtime.server_clock import ServerClock
from kaltura_mm.runtime.settings import Settings
from kaltura_mm.runtime.silence import Silence
from kaltura_mm.runtime.tasks import Group, Sleepers, Slots, Task

Clock = Callable[[], float]
_PENDING = object()


_GO_ON = (None, None)  # a handler's verdict: resume the flow at once with (value, error)
_Verdict = tuple[Any, BaseException | None] | None  # ...or None: the flow now waits


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
        check_flow(flow)
        self._settings = settings
        self._clock = clock
        self._random = random
        self._streaming = streaming
        self._root = Task(flow)
        self._ready: deque[tuple[Task, Any, BaseException | None]] = deque(
            [(self._root, None, None)]
        )
        self._sleepers = Sleepers()
        self._sends: dict[int, Task] = {}
        self._outbox: deque[Action] = deque()
        self._slots = Slots(settings.max_concurrency)
        self._ids = itertools.count(1)
        self._asked = Questions()  # the shared budget's, each answered before the next action
        self._result: Any = _PENDING
        self._closed = False
        self._reached = False  # whether a request of this run reached the server
        self._worked = False  # whether the server gave this run a Kaltura answer
        self._server_clock = ServerClock()  # the server's wall clock, from its answers' headers
        self._silence = Silence(settings.retry.patience)  # bounds every wait while it lasts

    # ---- the adapter's side ---------------------------------------------------------------------

    def next_action(self) -> Action:
        """Step until there is something for the adapter to do; raise what the flow raised."""
        if self._closed:
            raise RuntimeError("the run is closed: it ended, or its consumer stopped it")
        self._asked.check_answered()
        try:
            return self._next()
        except BaseException:
            self.close()
            raise

    def answer(self, answer: Answer) -> None:
        """Take the answer to a send or a budget question (one no task waits for is dropped)."""
        if isinstance(answer, BudgetAnswer):
            return self._budget_answered(answer)
        task = self._sends.pop(answer.id, None)
        if task is None:
            return
        task.send_id = None
        if isinstance(answer, Reply):
            self._reached = True
            self._server_clock.heard(answer.headers, self._clock())
            self._silence.heard(answer.status, task.sent_at)
            self._ready.append((task, answer, None))
        else:
            error = answer.error
            if isinstance(error, TransportError):
                reached = error.may_have_reached_server
                self._reached = self._reached or reached
                self._silence.failed(task.sent_at, str(error), may_have_reached_server=reached)
            self._ready.append((task, None, error))

    def close(self) -> None:
        """End the run: close every generator; later answers are dropped."""
        if self._closed:
            return
        self._closed = True
        self._end(self._root)
        for queue in (self._ready, self._outbox, self._sleepers, self._sends, self._asked):
            queue.clear()

    def _next(self) -> Action:
        while True:
            while self._outbox:
                action = self._outbox.popleft()
                if isinstance(action, Send) and action.id in self._sends:
                    others = self._ready or self._sleepers or self._asked
                    alone = len(self._sends) == 1 and not others
                    return attrs.evolve(action, alone=alone) if alone else action
                if isinstance(action, AskBudget):
                    self._asked.given(action)
                if not isinstance(action, Send):
                    return action
            if self._result is not _PENDING:
                return Done(self._result)
            if self._ready:
                self._resume(*self._ready.popleft())
            elif not self._wake():
                return self._wait()

    def _wait(self) -> Wait:
        deadline = self._sleepers.next_deadline()
        if not self._sends and deadline is None:
            raise RuntimeError("the flow waits for something that will never come")
        return Wait(deadline)

    def _wake(self) -> bool:
        woken = self._sleepers.due(self._clock()) if self._sleepers else []
        self._ready.extend((task, None, None) for task in woken)
        return bool(woken)

    # ---- flows ----------------------------------------------------------------------------------

    def _resume(self, task: Task, value: Any, error: BaseException | None) -> None:
        if task.over:
            return
        self._unhold(task)
        if task.is_call:
            self._step_call(task, value, error)
            return
        asking, task.asking = task.asking, None
        if asking is not None and error is None:  # held before its answer: ask again now
            verdict = self._effect(task, asking)
            if verdict is None:
                return
            value, error = verdict
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
            value, error = verdict

    def _effect(self, task: Task, effect: Any) -> tuple[Any, BaseException | None] | None:
        """Carry ``effect`` out; return how the flow goes on at once, or None if it now waits."""
        if isinstance(effect, Call | MultiRequest):
            self._start_call(task, effect)
        elif isinstance(effect, Start):
            self._start_call(task, effect.call, tag=effect.tag, background=True)
            return _GO_ON
        elif isinstance(effect, NextDone):
            return self._next_done(task)
        elif isinstance(effect, Sleep):
            self._sleep(task, effect.seconds)
        elif isinstance(effect, Backoff):
            return self._backoff(effect), None
        elif isinstance(effect, Now):
            return self._clock(), None
        elif isinstance(effect, Draw):
            return self._random.random(), None
        elif isinstance(effect, Reach):
            rounds = self._settings.retry.patience_rounds
            server_time = self._server_clock.now(self._clock())
            full = getattr(self._settings.ks, "full_rights", False) is True
            sends = self._settings.retry.throttled_attempts
            return Reached(self._reached, self._worked, rounds, server_time, full, sends), None
        elif isinstance(effect, SharedLimit):
            return self._shared_limit(task, effect)
        elif isinstance(effect, Emit):
            self._emit(task, effect.item)
        elif isinstance(effect, Interleave):
            self._interleave(task, effect)
        else:
            task.gen.close()
            raise TypeError(f"a flow yielded {effect!r}, which is not an effect")
        return None

    def _shared_limit(self, task: Task, ask: SharedLimit) -> _Verdict:
        """Answer what the shared budget knows of ``ask``'s action; while another process learns
        its window, first hold the flow (a hold, not the server's silence: ``_post``). The batch
        engine sizes its next step from the answer: a step sized before the hold would go out
        after it, sized for a limit no one knew then (a round of 20 where 3 fit)."""
        if not self._settings.shared_budget:
            return _GO_ON
        if ask.learned is None:
            self._ask(task, Learning(ask.service, ask.action), ask)
        else:
            self._ask(task, KnownLimit(ask.service, ask.action, ask.learned), ask)
        return None

    def _ask(self, task: Task, question: BudgetQuestion, about: Any) -> None:
        """Put ``question`` to the shared budget through the adapter (the store is its I/O)."""
        self._outbox.append(self._asked.ask(task, question, about))

    def _budget_answered(self, answer: BudgetAnswer) -> None:
        """Go on with the task that asked: send, hold, or resume its flow with the answer."""
        asked = self._asked.answered(answer)
        if asked is None:
            return
        task, question, about = asked
        if isinstance(question, Charge):
            wait, ticket = answer.value
            if ticket is None:
                task.held = about
                return self._hold(task, wait)
            return self._sent(task, about, ticket)
        if isinstance(question, Learning) and answer.value > 0:
            task.asking = about  # asked again once the hold ends
            return self._hold(task, answer.value)
        if isinstance(question, Learning):
            return self._ask(task, KnownLimit(question.service, question.action), about)
        self._ready.appendleft((task, answer.value, None))  # as if answered in place
        return None

    def _hold(self, task: Task, wait: float) -> None:
        """Hold ``task`` ``wait`` s for the shared budget: not cut by the patience, and not
        counted in the silence (``runtime.silence``) until it is stepped again or ended."""
        now = self._clock()
        if not task.holding:
            task.holding = True
            self._silence.hold(now)
        self._sleepers.add(now + wait, task)

    def _next_done(self, task: Task) -> tuple[Any, BaseException | None] | None:
        if task.inbox:
            return task.inbox.popleft(), None
        if not task.running:
            return None, LookupError("the flow waited for NextDone() with nothing running")
        task.waiting_next = True
        return None

    def _backoff(self, ask: Backoff) -> float | None:
        """Return the pause before sending again after ``ask.attempt`` failures, or None."""
        policy = self._settings.retry
        limit = policy.sends(blocked=ask.blocked) if ask.limit is None else ask.limit
        if ask.attempt >= limit:
            return None
        if ask.paced:
            return 0.0
        if ask.base is None:
            return policy.delay(ask.attempt, self._random)
        return full_jitter(ask.attempt, self._random.random(), ask.base, ask.cap)

    def _sleep(self, task: Task, seconds: float) -> None:
        now = self._clock()
        overdue = self._silence.overdue(now, seconds)
        if overdue is not None:  # the server is silent and this pause would outlast patience
            self._ready.append((task, None, overdue))
            return
        self._sleepers.add(now + seconds, task)

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
            check_flow(flow, "Interleave(...) and interleave()")
        parent.interleaving = Group.of(parent, effect.flows, effect.limit, effect.is_failure)
        self._admit(parent.interleaving)

    def _admit(self, group: Group) -> None:
        self._ready.extend((sub, None, None) for sub in group.admit())
        if group.finished:
            group.parent.interleaving = None
            self._ready.append((group.parent, group.results, None))

    def _sub_flow_ended(
        self, group: Group, sub: Task, value: Any, error: BaseException | None
    ) -> None:
        if group.record(sub, value, error):
            self._admit(group)
            return
        for other in group.abandon():  # ``error`` ends them all
            self._end(other)
        self._ready.append((group.parent, None, error))

    # ---- calls ----------------------------------------------------------------------------------

    def _start_call(
        self, parent: Task, target: Sendable, *, tag: Any = None, background: bool = False
    ) -> None:
        flow = call_flow(target, self._settings, self._random)
        task = Task(flow, is_call=True, parent=parent, background=background)
        task.tag = tag
        parent.children[task] = None
        if background:
            parent.running += 1
        if self._slots.enter(task):  # its request goes out before anything else is stepped
            self._step_call(task, None, None)

    def _step_call(self, task: Task, value: Any, error: BaseException | None) -> None:
        held, task.held = task.held, None
        if held is not None and error is None:  # its turn in the shared rate budget came
            return self._post(task, held)
        try:
            out = task.gen.throw(error) if error is not None else task.gen.send(value)
        except StopIteration as stop:
            return self._end_call(task, stop.value, None)
        except KalturaError as exc:
            return self._end_call(task, None, exc)
        if isinstance(out, Pause):
            return self._sleep(task, out.seconds)
        return self._post(task, out)

    def _post(self, task: Task, out: Outgoing) -> None:
        """Send ``out`` once the shared rate budget charges it (held, if it says so: a hold
        stops the silence's clock, ``runtime.silence``); its deadline counts from the sending."""
        if self._settings.shared_budget:
            return self._ask(task, Charge(out.target), out)
        return self._sent(task, out, None)

    def _sent(self, task: Task, out: Outgoing, ticket: Any) -> None:
        """Hand ``out`` to the adapter to send, with the budget's ``ticket`` (None: none)."""
        task.send_id = next(self._ids)
        task.sent_at = self._clock()
        self._sends[task.send_id] = task
        deadline = self._silence.deadline_for(task.sent_at)
        send = Send(task.send_id, out.request, out.target, deadline=deadline, ticket=ticket)
        self._outbox.append(send)
        return None

    def _unhold(self, task: Task) -> None:
        if task.holding:
            task.holding = False
            self._silence.free(self._clock())

    def _end_call(self, task: Task, value: Any, error: KalturaError | None) -> None:
        if error is None or isinstance(error, ApiError):
            self._worked = True
        if isinstance(value, MultiResponse):  # the send time after any budget hold (batch.py)
            value = attrs.evolve(value, sent_at=task.sent_at)
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
        self._unhold(task)
        if task.interleaving is not None:
            task.interleaving.abandon()
        for child in list(task.children):
            self._end(child)
        task.children.clear()
        if task.send_id is not None:
            self._sends.pop(task.send_id, None)
        taker = self._slots.leave(task) if task.is_call else None
        if taker is not None:
            self._ready.append((taker, None, None))
        task.gen.close()
