"""The stage of the bad-input table: one sandbox, scratch files, and how a case is observed.

A case acts once (a library call or a CLI run) and is observed as an ``Outcome``: the error
family (exception class, or the CLI's exit code), its message, whether a traceback leaked, and
what changed on the server (entries created or lost, upload tokens left open).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaltura_mm import Client, Config, RetryPolicy
from kaltura_mm.sandbox import Sandbox
from reliability import inventory
from reliability.cli_process import CliRun, cli_env, run_cli


@dataclass
class World:
    """What every case may use: the sandbox, named categories, an owned entry, scratch space."""

    sb: Sandbox
    scratch: Path
    category_id: int
    alice_entry: str
    other_partner_id: int
    counter: int = 0
    clients: list[Client] = field(default_factory=list)

    def folder(self, name: str) -> Path:
        """Return a fresh folder for one case."""
        self.counter += 1
        path = self.scratch / f"{self.counter:02d}-{name}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def client(self, **settings: Any) -> Client:
        """Return an admin client of the sandbox (keywords override the config)."""
        values: dict[str, Any] = {
            "service_url": self.sb.service_url,
            "partner_id": self.sb.partner_id,
            "admin_secret": self.sb.admin_secret,
            "retry": RetryPolicy(attempts=3, initial_backoff=0.05, max_backoff=0.2),
        }
        values.update(settings)
        client = Client(Config(**values))
        self.clients.append(client)
        return client

    def env(self, folder: Path, **overrides: str | None) -> dict[str, str]:
        """Return a CLI environment for the sandbox's admin (``None`` removes a variable)."""
        env = cli_env(folder, self.sb.service_url, self.sb.partner_id, self.sb.admin_secret)
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env


@dataclass
class Outcome:
    """What one case did: error family, message, exit code, leaks and server-side effects."""

    family: str
    message: str
    exit_code: int | None = None
    traceback: bool = False
    created: int = 0
    lost: int = 0
    open_tokens: int = 0
    extra: str = ""


@contextlib.contextmanager
def world(scratch: Path) -> Iterator[World]:
    """Start the sandbox and lay out what the cases need."""
    with Sandbox(transcode_delay=0.05, final_chunk_wait=3) as sb:
        category = sb.create_category("Bad>Input")
        sb.create_category("Left>Bio")
        sb.create_category("Right>Bio")
        (entry,) = sb.seed_entries(category, 1, name_prefix="alice-lecture")
        sb.core.store.execute("UPDATE entries SET user_id = 'alice' WHERE id = ?", (entry,))
        other = sb.add_partner()
        stage = World(sb, scratch, category, entry, other.partner_id)
        try:
            yield stage
        finally:
            for client in stage.clients:
                client.close()


def observe(stage: World, act: Callable[[], Outcome]) -> Outcome:
    """Run ``act`` and add what changed on the server (entries made or lost, open tokens)."""
    before = {str(r["id"]) for r in _all_live(stage)}
    tokens_before = len(inventory.open_tokens(stage.sb))
    outcome = act()
    after = {str(r["id"]) for r in _all_live(stage)}
    outcome.created = len(after - before)
    outcome.lost = len(before - after)
    outcome.open_tokens = len(inventory.open_tokens(stage.sb)) - tokens_before
    return outcome


def _all_live(stage: World) -> list[Any]:
    return [
        *inventory.live_entries(stage.sb),
        *inventory.live_entries(stage.sb, stage.other_partner_id),
    ]


def from_library(action: Callable[[], object]) -> Outcome:
    """Run a library call; its exception (or the lack of one) is the outcome."""
    try:
        action()
    except Exception as exc:
        return Outcome(type(exc).__name__, str(exc))
    return Outcome("no error", "")


def from_cli(run: CliRun) -> Outcome:
    """Turn a CLI run into an outcome: exit code, its error line, and any traceback."""
    lines = [line.strip() for line in run.err.splitlines() if line.strip()]
    if not lines:  # a --json batch reports its failed items as results on stdout
        lines = [line.strip() for line in run.out.splitlines() if line.strip()]
    message = " / ".join(lines[-3:])  # the error line, or a batch's reasons and its summary
    return Outcome(
        f"exit {run.code}", message, run.code, "Traceback (most recent call last)" in run.err
    )


def cli(stage: World, folder: Path, args: list[str], **env: str | None) -> Outcome:
    """Run ``kaltura-mm ARGS`` against the sandbox and observe it."""
    return from_cli(run_cli(args, stage.env(folder, **env), timeout=60, cwd=folder))
