"""One seeded run's world: the clock, the model, the network, the partner, the random streams.

Every random choice of a run comes from a stream named after (scenario, seed, purpose), so a
run replays exactly from its seed, and adding a draw to one purpose does not shift the others.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from simulation.accounts import Accounts
from simulation.clock import VirtualClock
from simulation.knobs import Schedule
from simulation.model import KalturaModel
from simulation.model.admin import Admin
from simulation.network import Budget, Network
from simulation.reference.conn import Account

PARTNER_ID = 4242
ADMIN_SECRET = "sim-admin-secret-0123456789abcdef"  # noqa: S105 - the model's own test partner
USER_SECRET = "sim-user-secret-0123456789abcdef"  # noqa: S105


def stream(scenario: str, seed: int, purpose: str) -> random.Random:
    """Return the random stream for one purpose of one run."""
    return random.Random(f"{scenario}/{seed}/{purpose}")


@dataclass
class World:
    """Everything one run needs: scenario name, seed, schedule and the wired-up parts."""

    scenario: str
    seed: int
    schedule: Schedule
    clock: VirtualClock
    model: KalturaModel
    net: Network
    account: Account
    rng: random.Random
    trace: list[str] | None = field(default=None, repr=False)

    @property
    def admin(self) -> Admin:
        """Return the partner's background admin (another user at work)."""
        return Admin(self.model.state, PARTNER_ID)

    def stream(self, purpose: str) -> random.Random:
        """Return this run's random stream for ``purpose``."""
        return stream(self.scenario, self.seed, purpose)

    @property
    def accounts(self) -> Accounts:
        """Return the run's account (``--accounts``; else the plain admin account)."""
        return self.schedule.accounts

    def category(self, path: str) -> int:
        """Seed the categories of ``path`` (its root with the account's privacy context)."""
        return self.model.seed_category(PARTNER_ID, path, self.accounts.privacy_context)


def build(
    scenario: str,
    seed: int,
    schedule: Schedule | None = None,
    budget: Budget | None = None,
    trace: bool = False,
    accounts: bool = False,
) -> World:
    """Wire a fresh world for ``scenario`` at ``seed`` (the schedule drawn from the seed;
    ``accounts``: the account too, from its own stream, see ``simulation.accounts``)."""
    chosen = schedule or Schedule.draw(stream(scenario, seed, "schedule"))
    if accounts:
        chosen = replace(chosen, accounts=Accounts.draw(stream(scenario, seed, "accounts")))
    clock = VirtualClock()
    model = KalturaModel(clock, chosen.model, stream(scenario, seed, "model"))
    account = chosen.accounts
    model.add_partner(PARTNER_ID, ADMIN_SECRET, USER_SECRET, account.features, account.roles)
    lines: list[str] | None = [] if trace else None
    net = Network(
        model, chosen.network, stream(scenario, seed, "network"), budget or Budget(), lines
    )
    conn = Account(PARTNER_ID, ADMIN_SECRET, account.user, account.privileges or "")
    return World(
        scenario, seed, chosen, clock, model, net, conn, stream(scenario, seed, "world"), lines
    )
