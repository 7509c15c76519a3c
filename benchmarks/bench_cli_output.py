"""A large table costs about what the same results as JSON lines cost: rows stream as they come.

The 0.1 command built a rich ``Table`` of every row before printing any: a 12,000-row
``move --dry-run`` took 62 s as a table against 15 s with ``--json``. The table is now printed as
rows come (columns sized from the first rows). The benchmark seeds 12,000 entries (1,000 in smoke
mode) in a category of a sandbox served by another process on loopback and times
``kaltura-mm move --where -c FROM --to TO --dry-run`` as a table (stdout to a file) against the
same with ``--json``, in turns (5 of each). Target: the table within 1.2x of JSON, in wall time
and in the command's own CPU time (which a busy machine disturbs less).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import Context, Row, median
from kaltura_mm.client import Client
from kaltura_mm.errors import CategoryNotFoundError
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.models import CategoryParams
from kaltura_mm.services import category

ENTRIES, SMOKE_ENTRIES = 12_000, 1_000
TARGET = 1.2
KMM = (sys.executable, "-c", "from kaltura_mm.cli import run; run()")


def _serve(ctx: Context, entries: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    server = subprocess.Popen(
        [*KMM, "sandbox", "serve", "--json", "--seed-category", "Bench>From",
         "--seed-entries", str(entries), "--data-dir", str(ctx.scratch("output-sandbox"))],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert server.stdout is not None
    return server, json.loads(server.stdout.readline())


def _env(ctx: Context, info: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(
        KALTURA_SERVICE_URL=info["service_url"],
        KALTURA_PARTNER_ID=str(info["partner_id"]),
        KALTURA_ADMIN_SECRET=info["admin_secret"],
        KALTURA_MM_STATE_DIR=str(ctx.scratch("output-cli")),
        KALTURA_MM_CONFIG=str(ctx.scratch("output-cli") / "none.toml"),
    )
    return env


def _move_dry_run(env: dict[str, str], out: Path, *extra: str) -> None:
    argv = [*KMM, "move", "--where", "-c", "Bench>From", "--to", "Bench>To", "--dry-run", *extra]
    with out.open("w") as sink:
        subprocess.run(argv, check=True, stdout=sink, stderr=subprocess.DEVNULL, env=env)


def _timed(run: Callable[[], None]) -> tuple[float, float]:
    """Return the wall seconds of ``run`` and the CPU seconds its child process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(ctx: Context) -> list[Row]:
    """Time a big move --dry-run as a table and as JSON lines, one after the other, in turns."""
    entries = SMOKE_ENTRIES if ctx.smoke else ENTRIES
    repeats = 1 if ctx.smoke else 5
    server, info = _serve(ctx, entries)
    try:
        env = _env(ctx, info)
        _create_target(env)
        out = ctx.scratch("output-runs")

        def table() -> None:
            _move_dry_run(env, out / "table.txt")

        def jsonl() -> None:
            _move_dry_run(env, out / "rows.jsonl", "--json")

        table(), jsonl()  # warm-up: the sandbox's first walk of the category
        # In turns, so that a busy machine slows both alike.
        pairs = [(_timed(table), _timed(jsonl)) for _ in range(repeats)]
        rows = len((out / "table.txt").read_text().splitlines())
    finally:
        server.terminate()
        server.wait(timeout=30)
    return _rows(entries, rows, pairs)


def _rows(
    entries: int, lines: int, pairs: list[tuple[tuple[float, float], tuple[float, float]]]
) -> list[Row]:
    walls = ([t[0] for t, _ in pairs], [j[0] for _, j in pairs])
    cpus = ([t[1] for t, _ in pairs], [j[1] for _, j in pairs])
    subject = f"kaltura-mm move --dry-run of {entries:,} entries as a table"
    return [
        Row(
            benchmark="cli_output",
            subject=subject,
            median=median(walls[0]),
            unit="s",
            baseline="the same with --json",
            baseline_median=median(walls[1]),
            target=f"<= {TARGET} x baseline",
            passed=median(walls[0]) <= TARGET * median(walls[1]),
            samples=walls[0],
            notes=f"{lines:,} table lines to a file; sandbox in another process on loopback",
        ),
        Row(
            benchmark="cli_output",
            subject=f"{subject}: CPU of the command",
            median=median(cpus[0]),
            unit="s",
            baseline="the same with --json",
            baseline_median=median(cpus[1]),
            target=f"<= {TARGET} x baseline",
            passed=median(cpus[0]) <= TARGET * median(cpus[1]),
            samples=cpus[0],
            notes="user + system seconds of the kaltura-mm process (the sandbox excluded)",
        ),
    ]


def _create_target(env: dict[str, str]) -> None:
    """Make the target category through the API (the seeded sandbox has only the source)."""
    with Client(
        service_url=env["KALTURA_SERVICE_URL"],
        partner_id=int(env["KALTURA_PARTNER_ID"]),
        admin_secret=env["KALTURA_ADMIN_SECRET"],
    ) as client:
        parent = client.run(resolve_category("Bench"))
        client.call(category.add(CategoryParams(name="To", parent_id=parent.id)))
        # `move --to Bench>To` finds it by name, in the lagging search index: wait till it shows.
        deadline = time.monotonic() + 60
        while True:
            try:
                client.run(resolve_category("Bench>To"))
                return
            except CategoryNotFoundError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)
