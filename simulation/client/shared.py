"""Several client processes at once, sharing one rate budget (``kaltura_mm.budget``).

Each process is its own machine running ``delete_entries`` over its own part, with its own
``Gate`` over one ``StoreBudget``: a SQLite file in the run's directory, read on the world's
virtual clock, as the cron jobs of one user on one machine share ``budget.sqlite3``. They run
interleaved on the network's virtual time: every send passes its process's gate first (a send
the budget holds goes when the gate says, the others of that process meanwhile go on), and every
answer tells the gate what the server said, as the client's adapters do around each send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.budget import Gate, StoreBudget, Ticket
from kaltura_mm.client.shared_budget import budget_answer
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.runtime import AskBudget, Done, Machine, Reply, Send, Wait
from kaltura_mm.runtime.actions import Answer as MachineAnswer
from kaltura_mm.store import open_store
from simulation.client.adapter import Adapter
from simulation.client.setup import ClientSetup
from simulation.world import World


@dataclass
class _Process:
    """One process: its machine, gate and adapter, and its sends on the network."""

    machine: Machine
    gate: Gate
    adapter: Adapter
    tickets: dict[int, tuple[Send, Ticket]] = field(default_factory=dict)  # net ticket -> send
    until: float | None = None  # its machine's ``Wait``: run again then (None: on an answer)
    result: Any = None
    done: bool = False


def delete_in_processes(
    world: World, setup: ClientSetup, parts: list[list[str]], folder: Path
) -> list[list[EntryOutcome]]:
    """Run one delete process per part, all at once, sharing one budget in ``folder``; return
    each process's outcomes."""
    folder.mkdir(parents=True, exist_ok=True)
    budget = StoreBudget(open_store(folder / "budget.sqlite3", file=True), clock=world.clock.now)
    config = setup.config
    processes = []
    for index, part in enumerate(parts):
        rng = world.stream(f"shared-process-{index}")
        gate = Gate(lambda: budget, config.service_url, str(config.partner_id), "sim")
        settings = attrs.evolve(setup.settings(world, rng), shared_budget=True)  # _advance asks
        machine = Machine(delete_entries(part), settings, clock=world.clock.now, random=rng)
        adapter = Adapter(world.net, config.service_url, config.timeouts.read)
        processes.append(_Process(machine, gate, adapter))
    try:
        _run(world, processes)
    finally:
        budget.close()
    return [list(p.result) for p in processes]


def _run(world: World, processes: list[_Process]) -> None:
    ready = set(range(len(processes)))
    owner: dict[int, int] = {}  # net ticket -> process index
    while True:
        for index in sorted(ready):
            _advance(world, processes[index], index, owner)
        if all(p.done for p in processes):
            return
        live = [p for p in processes if not p.done]
        wakes = [p.until for p in live if p.until is not None]
        wakes += [due for p in live for due in p.adapter.due()]
        arrived = world.net.wait(min(wakes, default=None))
        now = world.clock.now()
        ready = set()
        for answer in arrived:
            index = owner.pop(answer.ticket, -1)
            if index >= 0:
                _answered(processes[index], processes[index].adapter.answer(answer), answer)
                ready.add(index)
        for index, process in enumerate(processes):
            for ticket, timeout in process.adapter.timed_out(now):
                owner.pop(ticket, None)  # its answer, if it comes, is dropped
                process.tickets.pop(ticket, None)
                process.machine.answer(timeout)
                ready.add(index)
            if process.until is not None and process.until <= now:
                ready.add(index)


def _advance(world: World, process: _Process, index: int, owner: dict[int, int]) -> None:
    """Run the process's machine until it waits or ends."""
    if process.done:
        return
    while True:
        action = process.machine.next_action()
        if isinstance(action, Send):
            _claim(world, process, index, action, owner)
        elif isinstance(action, AskBudget):  # the store is the adapter's, as a client's
            process.machine.answer(budget_answer(process.gate, action))
        elif isinstance(action, Wait):
            process.until = action.until
            return
        else:
            assert isinstance(action, Done), action
            process.done, process.result = True, action.result
            process.machine.close()
            return


def _claim(world: World, process: _Process, index: int, send: Send, owner: dict[int, int]) -> None:
    """Send ``send``: its machine's gate charged it already (``Send.ticket``) and held it as long
    as the budget said, as the client's adapters find it; charging it again here would count
    every call twice."""
    net_ticket = process.adapter.send(send)
    owner[net_ticket] = index
    process.tickets[net_ticket] = (send, send.ticket)


def _answered(process: _Process, answer: MachineAnswer, arrived: Any) -> None:
    send, ticket = process.tickets.pop(arrived.ticket)
    if isinstance(answer, Reply):
        process.gate.after(send.target, ticket, answer.body)
    process.machine.answer(answer)
