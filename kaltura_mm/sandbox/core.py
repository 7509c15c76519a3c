"""The sandbox's state and settings, shared by every service: store, clock, folders, partners."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kaltura_mm.sandbox import category_jobs, category_users, flavor_assets, replacement, roles
from kaltura_mm.sandbox.claims import Claims
from kaltura_mm.sandbox.clock import SandboxClock
from kaltura_mm.sandbox.races import UploadRaces
from kaltura_mm.sandbox.search_index import SearchIndex
from kaltura_mm.sandbox.store import SandboxStore

KS_MAX_EXPIRY = 86_400  # Partner ksMaxExpiryInSeconds default
MAX_RESUME_TIME = 604_800  # upload_token_max_resume_time: 7 days
FIRST_PARTNER_ID = 100
DEFAULT_INDEX_LAG = 2.0  # seconds; SaaS's is unpublished (could be minutes): tests ask for more
SPHINX_MAX_IN_VALUES = 150  # SphinxCriterion::MAX_IN_VALUES
# Partner features a sandbox partner lacks until switched on (every other one it has until
# switched off): they change what the server shows or allows, as on a real account that has them.
FEATURES_OFF_BY_DEFAULT = frozenset(
    {
        "FEATURE_BLOCK_CATEGORY_MODERATION_SELF_APPROVE",
        "FEATURE_DISABLE_CATEGORY_LIMIT",
        "FEATURE_ENTITLEMENT",
        "FEATURE_ENTRY_REPLACEMENT_APPROVAL",
        "FEATURE_RECYCLE_BIN",
    }
)


@dataclass(frozen=True)
class Partner:
    """A sandbox partner (account) and its secrets."""

    partner_id: int
    admin_secret: str
    user_secret: str

    def __repr__(self) -> str:
        return f"Partner(partner_id={self.partner_id})"


@dataclass
class SandboxSettings:
    """Behaviour knobs: transcoding time, final-chunk gap wait, KS lifetime cap, the index's lag
    and IN cut, the partners whose access control applies to entry metadata, delays that open the
    upload race window, the category batch jobs' delay, failing conversions."""

    transcode_delay: float = 0.2
    final_chunk_wait: float = 45.0
    ks_lifetime: int | None = None
    index_lag: float = DEFAULT_INDEX_LAG
    index_max_in_values: int | None = SPHINX_MAX_IN_VALUES
    metadata_access_control_all: bool = False
    metadata_access_control: set[int] = field(default_factory=set)
    category_job_delay: float = 1.0
    fail_conversions: bool = False  # every conversion ends in ERROR_CONVERTING
    seed: int = 0  # the sandbox's seed: faults, and an image's first data version (data_version)
    upload_races: UploadRaces = field(default_factory=UploadRaces)

    def applies_metadata_access_control(self, partner_id: int) -> bool:
        """Return True when ``partner_id`` has access control on entry metadata switched on."""
        return self.metadata_access_control_all or partner_id in self.metadata_access_control


class Core:
    """Everything the services share; no HTTP here."""

    def __init__(
        self, data_dir: Path, durable: bool, settings: SandboxSettings, clock: SandboxClock
    ) -> None:
        self.data_dir = data_dir
        self.settings = settings
        self.clock = clock
        self.content_dir = data_dir / "content"
        self.upload_dir = data_dir / "uploads"
        self.incoming_dir = data_dir / "incoming"
        for folder in (self.content_dir, self.upload_dir, self.incoming_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.store = SandboxStore(data_dir / "sandbox.db", durable)
        category_users.ensure(self.store)
        roles.ensure_schema(self.store)
        self.index = SearchIndex(self.store, clock, settings)
        self.service_url = ""
        self.claims = Claims()  # in-place chunk writes in flight, guarded by token conditions
        self._token_conditions: dict[str, threading.Condition] = {}
        self._conditions_lock = threading.Lock()

    def token_condition(self, token_id: str) -> threading.Condition:
        """Return the lock/condition that serialises one upload token's file operations."""
        with self._conditions_lock:
            cond = self._token_conditions.get(token_id)
            if cond is None:
                cond = self._token_conditions[token_id] = threading.Condition()
            return cond

    def partner(self, partner_id: int) -> Partner | None:
        """Return a partner by id, or None."""
        row = self.store.one("SELECT * FROM partners WHERE id = ?", (partner_id,))
        if row is None:
            return None
        return Partner(row["id"], row["admin_secret"], row["user_secret"])

    def partners(self) -> list[Partner]:
        """Return every partner, oldest first."""
        rows = self.store.all("SELECT * FROM partners ORDER BY id")
        return [Partner(r["id"], r["admin_secret"], r["user_secret"]) for r in rows]

    def add_partner(self) -> Partner:
        """Create a partner with fresh random secrets."""
        with self.store.tx() as conn:
            top = conn.execute("SELECT MAX(id) FROM partners").fetchone()[0]
            partner = Partner(
                (top or FIRST_PARTNER_ID - 1) + 1, secrets.token_hex(16), secrets.token_hex(16)
            )
            conn.execute(
                "INSERT INTO partners VALUES (?, ?, ?, ?)",
                (partner.partner_id, partner.admin_secret, partner.user_secret, self.clock.now()),
            )
        return partner

    def promote_ready(self) -> None:
        """Finish simulated transcoding: PRECONVERT entries whose time has come become READY (or
        ERROR_CONVERTING under ``fail_conversions``), and replacements follow
        (``replacement`` rule 4)."""
        category_jobs.run_due(self)
        now = self.clock.now()
        with self.store.tx() as conn:
            ready = conn.execute(
                "SELECT * FROM entries WHERE status = 1 AND ready_at <= ?", (now,)
            ).fetchall()
            if not ready:
                return
            failed = self.settings.fail_conversions  # ERROR_CONVERTING (-1) instead of READY
            conn.execute(
                "UPDATE entries SET status = ? WHERE status = 1 AND ready_at <= ?",
                (-1 if failed else 2, now),
            )
            # the source assets finish first: the swap relinks a READY one (``replaceEntry``)
            flavor_assets.converted(conn, [r["id"] for r in ready], int(now), failed)
            unused = replacement.converted(conn, ready, int(now), failed)
        for name in unused:
            (self.content_dir / name).unlink(missing_ok=True)

    def ks_max_expiry(self) -> int:
        """Return the partners' ``ksMaxExpiryInSeconds`` (86400, or the KS lifetime cap)."""
        lifetime = self.settings.ks_lifetime
        return KS_MAX_EXPIRY if lifetime is None else min(KS_MAX_EXPIRY, lifetime)

    def feature_enabled(self, partner_id: int, name: str) -> bool:
        """Return whether a partner has a feature (sandbox partners have all until switched, but
        those in ``FEATURES_OFF_BY_DEFAULT``)."""
        row = self.store.one(
            "SELECT enabled FROM partner_features WHERE partner_id = ? AND name = ?",
            (partner_id, name),
        )
        if row is None:
            return name not in FEATURES_OFF_BY_DEFAULT
        return bool(row[0])

    def set_feature(self, partner_id: int, name: str, enabled: bool) -> None:
        """Switch a partner's feature on or off (kept with the partner's data)."""
        self.store.execute(
            "INSERT INTO partner_features (partner_id, name, enabled) VALUES (?, ?, ?)"
            " ON CONFLICT (partner_id, name) DO UPDATE SET enabled = excluded.enabled",
            (partner_id, name, int(enabled)),
        )

    def close(self) -> None:
        """Release the database."""
        self.store.close()
