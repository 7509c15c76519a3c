"""``kaltura-mm sandbox serve``: run the sandbox in the foreground until Ctrl-C / SIGTERM."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kaltura_mm.sandbox.accounts import ACCOUNTS, describe
from kaltura_mm.sandbox.app import Sandbox
from kaltura_mm.sandbox.cli_values import (
    parse_bandwidth,
    parse_fail,
    parse_rate_limit,
    parse_throttle,
)
from kaltura_mm.sandbox.core import DEFAULT_INDEX_LAG, SPHINX_MAX_IN_VALUES
from kaltura_mm.sandbox.faults import KINDS

__all__ = ["parse_bandwidth", "parse_fail", "parse_rate_limit", "parse_throttle", "sandbox"]


@click.group("sandbox")
def sandbox() -> None:
    """Run a local Kaltura-compatible API server (no account needed)."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=0,
    type=click.IntRange(0, 65535),
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep state here across restarts (SQLite + files). Default: temporary.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="First line: one JSON object with service_url, partner_id, admin_secret, user_secret.",
)
@click.option("--seed", default=0, show_default=True, help="Seed for deterministic faults.")
@click.option(
    "--transcode-delay",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds from PRECONVERT to READY.",
)
@click.option(
    "--final-chunk-wait",
    default=45.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds a final chunk waits for gaps (the real server: 45).",
)
@click.option(
    "--category-job-delay",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds before a category change's batch job runs (subtree names, moved links).",
)
@click.option(
    "--latency",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds added to every API request.",
)
@click.option("--bandwidth", metavar="RATE", help="Per-connection cap, e.g. 10M (bytes/s).")
@click.option(
    "--fail",
    "fails",
    multiple=True,
    metavar="SERVICE.ACTION=RATE[:KINDS]",
    help=f"Fail a share of calls; KINDS from {', '.join(KINDS)}; '*' for any "
    "service/action. Repeatable.",
)
@click.option(
    "--throttle",
    "throttles",
    multiple=True,
    metavar="SERVICE.ACTION=N",
    help="Answer calls beyond N in a fixed 1-second window with ACTION_BLOCKED "
    "(--rate-limit SERVICE.ACTION=N/1s). Repeatable.",
)
@click.option(
    "--rate-limit",
    "rate_limits",
    multiple=True,
    metavar="SERVICE.ACTION=N[/WINDOW][:key=PARAM][:failed-only]",
    help="The server's rate limiter: N calls per fixed WINDOW (default 10s) from the first, "
    "blocked calls counted; key=PARAM counts per value of a request parameter (e.g. entryId). "
    "The first matching rule applies. Repeatable.",
)
@click.option(
    "--index-lag",
    default=DEFAULT_INDEX_LAG,
    show_default=True,
    type=click.FloatRange(0),
    metavar="SECONDS",
    help="Seconds before a write reaches list/count results (0: at once).",
)
@click.option(
    "--no-in-cut",
    is_flag=True,
    help="Keep every value of an IN / NOT IN filter (the real index keeps 150).",
)
@click.option(
    "--kind",
    is_flag=True,
    help="A consistent sandbox: --index-lag 0 and --no-in-cut.",
)
@click.option(
    "--metadata-access-control",
    is_flag=True,
    help="Partners apply access control to entry metadata: a non-admin KS's list totalCount "
    "is its page's own count.",
)
@click.option(
    "--ks-lifetime",
    type=click.IntRange(1),
    metavar="SECONDS",
    help="Cap the expiry of KS issued by session.start.",
)
@click.option(
    "--fail-conversions",
    is_flag=True,
    help="Every conversion fails: entries end ERROR_CONVERTING (-1), a content replacement "
    "FAILED (4) until media.cancelReplace.",
)
@click.option(
    "--stall-seconds",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0),
    help="How long a 'stall' fault holds a request.",
)
@click.option(
    "--account",
    type=click.Choice(ACCOUNTS),
    default="default",
    show_default=True,
    help="What the default partner holds on a new data folder: 'mediaspace' is a "
    "MediaSpace/KMS-shaped account (entitlement, privacy context, members, users, entries).",
)
@click.option("--seed-category", metavar="PATH", help="Create this category path, e.g. A>B.")
@click.option(
    "--seed-entries",
    default=0,
    type=click.IntRange(0),
    metavar="N",
    help="Add N READY entries to --seed-category.",
)
def serve(**options: Any) -> None:
    """Serve the sandbox until interrupted; print how to connect."""
    if options["seed_entries"] and not options["seed_category"]:
        raise click.UsageError("--seed-entries needs --seed-category PATH to put them in")
    box = Sandbox(
        data_dir=options["data_dir"],
        transcode_delay=options["transcode_delay"],
        seed=options["seed"],
        final_chunk_wait=options["final_chunk_wait"],
        category_job_delay=options["category_job_delay"],
        host=options["host"],
        port=options["port"],
        index_lag=0.0 if options["kind"] else options["index_lag"],
        index_max_in_values=(
            None if options["kind"] or options["no_in_cut"] else SPHINX_MAX_IN_VALUES
        ),
        metadata_access_control=options["metadata_access_control"],
        account=options["account"],
    )
    _configure(box, options)
    try:
        box.start()
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {options['host']}:{options['port']} ({error.strerror}): "
            "choose another --port or 0 for a free one"
        ) from None
    try:
        if options["seed_category"]:
            category = box.create_category(options["seed_category"])
            box.seed_entries(category, options["seed_entries"])
        _wait_for_stop(lambda: _announce(box, options["as_json"]))
    finally:
        box.close()


def _configure(box: Sandbox, options: dict[str, Any]) -> None:
    faults = box.faults
    faults.latency = options["latency"]
    faults.stall_seconds = options["stall_seconds"]
    if options["bandwidth"]:
        faults.bandwidth = parse_bandwidth(options["bandwidth"])
    for text in options["fails"]:
        service, action, rate, kinds = parse_fail(text)
        faults.inject(service=service, action=action, rate=rate, kinds=kinds)
    for text in options["throttles"]:
        service, action, per_second = parse_throttle(text)
        faults.throttle(service=service, action=action, per_second=per_second)
    for text in options["rate_limits"]:
        faults.rate_limiter.add(parse_rate_limit(text))
    faults.ks_lifetime = options["ks_lifetime"]
    faults.fail_conversions = options["fail_conversions"]


def _announce(box: Sandbox, as_json: bool) -> None:
    info = {
        "service_url": box.service_url,
        "partner_id": box.partner_id,
        "admin_secret": box.admin_secret,
        "user_secret": box.user_secret,
    }
    if box.account.name != "default":
        info["account"] = describe(box.account)
    if as_json:
        click.echo(json.dumps(info))
    else:
        click.echo(f"Kaltura sandbox serving at {info['service_url']}")
        click.echo(f"  partner id:   {info['partner_id']}")
        click.echo(f"  admin secret: {info['admin_secret']}")
        click.echo(f"  user secret:  {info['user_secret']}")
        if box.account.name != "default":
            click.echo(
                f"  account:      {box.account.name} ({len(box.account.categories)} "
                f"categories, users {', '.join(box.account.users)})"
            )
        click.echo("Press Ctrl-C to stop.")
    sys.stdout.flush()


def _wait_for_stop(announce: Callable[[], None]) -> None:
    """Announce the server, then serve until SIGINT or SIGTERM (both set before the announce, so
    a stop sent as soon as the first line is read is never lost)."""
    # Ctrl-C is set here too, not left to Python's default: a server started with SIGINT ignored
    # (a shell's background job, `kaltura-mm sandbox serve &`) never stopped on `kill -INT`.
    stop = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stop.set())
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        announce()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for stopped, handler in previous.items():
            signal.signal(stopped, handler)
