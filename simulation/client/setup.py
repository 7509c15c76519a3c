"""How a run's client is configured: drawn from the seed, as a user would set it.

The client makes its KS from the admin secret (``SecretKs``) on the virtual clock, with its
salt from the run's random stream, so a replay sends the same bytes. Its lifetime is the
partner's maximum (the schedule's ``ks_max_expiry``: 86,400, 600 or 120 s), the most a user of
that account may ask for; so in short-KS seeds the client renews before expiry and, when a
request is slow past its margin, meets ``INVALID_KS``/``EXPIRED`` and renews on it.

With ``--accounts`` and a USER session drawn (``simulation.accounts``), the KS is a USER one
(type 0) of the account's user, with ``list:*`` when drawn: what a MediaSpace user's
configuration holds.

Upload options: the files' own chunk and edge sizes (``scenarios.make_files``), chunks in
flight 1 to 6, files in flight 1 to 4, waiting for READY in half the seeds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kaltura_mm.config import Config
from kaltura_mm.enums import SessionType
from kaltura_mm.ks import SecretKs
from kaltura_mm.runtime import Settings
from kaltura_mm.upload import UploadOptions
from simulation.reference.upload import SourceFile
from simulation.world import ADMIN_SECRET, PARTNER_ID, World

SERVICE_URL = "https://simulation.invalid"


@dataclass(frozen=True, slots=True)
class ClientSetup:
    """What the user configured: the client's ``Config`` and the upload knobs."""

    config: Config
    concurrency: int
    files_in_flight: int
    wait_ready: bool

    @classmethod
    def draw(cls, world: World) -> ClientSetup:
        """Return the setup of ``world``'s client (the same for every process of the run)."""
        rng = world.stream("client-setup")
        accounts = world.accounts
        session = SessionType.USER if accounts.is_user else SessionType.ADMIN
        config = Config(
            service_url=SERVICE_URL,
            partner_id=PARTNER_ID,
            admin_secret=ADMIN_SECRET,
            ks_expiry=world.schedule.model.ks_max_expiry,
            session_type=session,
            user_id=accounts.user,
            privileges=accounts.privileges,
        )
        return cls(
            config,
            concurrency=rng.choice((1, 2, 4, 6)),
            files_in_flight=rng.randint(1, 4),
            wait_ready=rng.random() < 0.5,
        )

    def options(self, source: SourceFile) -> UploadOptions:
        """Return the upload options for ``source``."""
        return UploadOptions(
            chunk_size=source.chunk_size,
            edge_size=source.edge_size,
            concurrency=self.concurrency,
            wait_ready=self.wait_ready,
        )

    def settings(self, world: World, rng: random.Random) -> Settings:
        """Return one process's runtime settings: its KS made on the virtual clock."""
        config = self.config
        assert config.partner_id is not None and config.admin_secret is not None
        ks = SecretKs(
            config.partner_id,
            config.admin_secret,
            session_type=config.session_type,
            user_id=config.user_id,
            privileges=config.privileges,
            expiry=config.ks_expiry,
            clock=world.clock.now,
            random_bytes=rng.randbytes,
        )
        return Settings(
            ks=ks,
            client_tag=config.client_tag,
            secrets=config.secrets,
            retry=config.retry,
            max_concurrency=config.max_concurrency,
        )
