"""How many requests a scenario's flows may take: the ``bounded`` invariant, from first principles.

A flow that ends makes a known amount of *work*: one request per chunk, per page, per batch of
items, plus a few per file. Faults make it more, but by a bounded factor: at the worst schedule
a request fails 29% of the time (3% refused, 8% reset, 8% lost, 5% 5xx, 5% blocked), so a
success takes 1 / 0.71 = 1.4 tries on average, and after each failed chunk or batch the flow
asks the server one question (the token's state, an entry's) before sending again: about 2
requests per failure, 1 + 2 x 0.4 = 1.8 per unit of work. ``RETRY_FACTOR`` = 3 leaves room for
the unlucky tail (a run of failures on one request) without letting a loop that does not end
pass: that one runs past any multiple. ``SLACK`` covers what is neither work nor retry: KS
renewals, rate-limit pauses that end in a re-send, strays deleted after a lost answer.

Waiting is work too: a flow that polls for READY (the client every 2 s, the reference every
15 s) may make one request per 2 s of the longest transcoding delay drawn, per file; one that
waits out the index lag before looking (the reference, 330 s) makes none meanwhile.

A killed process starts again from what it saved: each process may redo its share, so the
budget is multiplied by the number of processes. Virtual time is bounded separately (hours,
far above any flow's waits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulation.knobs import Schedule
from simulation.network import Budget
from simulation.reference.upload import SourceFile

RETRY_FACTOR = 3
SLACK = 30
PAGE = 500  # entries per list page (the server's most)
POLL_EVERY = 2.0  # seconds between READY polls, the shortest any driver uses
PER_FILE = 5  # lookup, create (with the head), verify, a category link, a stray deleted


def _bounded(work: int, processes: int = 1, hours: float = 6.0) -> Budget:
    return Budget(
        requests=(RETRY_FACTOR * work + SLACK) * processes, virtual_seconds=hours * 3600.0
    )


def chunks_of(source: SourceFile) -> int:
    """Return the most chunks any driver cuts ``source`` into: the client adds a head and a
    tail around full chunks; the reference sends full chunks only."""
    return math.ceil(len(source.data) / source.chunk_size) + 2


def uploads(files: Sequence[SourceFile], schedule: Schedule, kills: int = 0) -> Budget:
    """Return the budget for uploading ``files`` (the same files again after each kill)."""
    polls = math.ceil(schedule.model.transcode_delay[1] / POLL_EVERY) + 1
    work = sum(PER_FILE + chunks_of(f) + polls for f in files)
    return _bounded(work, processes=kills + 1, hours=12.0)


def walk(entries: int, burst: int) -> Budget:
    """Return the budget for listing ``entries`` (``burst`` of them in one second) once: a
    page each 500, and the crowded second read on its own (a count, then its pages)."""
    pages = math.ceil(entries / PAGE) + 2 + math.ceil(burst / PAGE)
    return _bounded(pages + 1)  # + resolving the category


def batches(items: int, operations: int, kills: int) -> Budget:
    """Return the budget for ``operations`` batch runs over ``items`` entry operations in all.

    Under a rate limit of 3 calls a second the client's pace falls to one item a request, so
    the work is one request per item at worst, plus per operation a category check and a
    read-back of entries found already done.
    """
    return _bounded(items + 2 * operations, processes=kills + 1)


def blocked_deletes(items: int, schedule: Schedule) -> int:
    """Return how many deletes the limiter may block when processes share one rate budget.

    Learning costs the engine's first rounds beyond the limit (they double from 20 until one is
    blocked: at most 40 items past it) and the window's probes (one item each, about 20 at most),
    once for all processes; after that the budget keeps every process inside the limit. What
    the network's own faults add: each injected block, reset, lost answer or 5xx sends items
    again, which may meet a full window, so a share of the items as large as those faults'.
    """
    net = schedule.network
    faults = net.blocked + net.reset + net.lost_answer + net.error_5xx
    return 40 + 20 + math.ceil(3 * faults * items)
