"""``Sandbox``: the whole server on an ephemeral loopback port, as a context manager."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from kaltura_mm.sandbox import (
    accounts,
    app_tokens,
    category_users,
    entitlement,
    ks,
    replacement,
    roles,
    seeding,
)
from kaltura_mm.sandbox.accounts import Account
from kaltura_mm.sandbox.clock import SandboxClock
from kaltura_mm.sandbox.core import (
    DEFAULT_INDEX_LAG,
    SPHINX_MAX_IN_VALUES,
    Core,
    Partner,
    SandboxSettings,
)
from kaltura_mm.sandbox.dispatcher import Dispatcher
from kaltura_mm.sandbox.faults import Faults, Stats
from kaltura_mm.sandbox.permission_names import NORMAL_PERMISSIONS
from kaltura_mm.sandbox.races import UploadRaces
from kaltura_mm.sandbox.search_index import SearchIndex
from kaltura_mm.sandbox.server import SandboxHTTPServer


class Sandbox:
    """A local Kaltura-compatible API server (real HTTP on loopback, background threads).

    Lists read a search index that lags writes by ``index_lag`` seconds and keeps
    ``index_max_in_values`` values of an IN / NOT IN, as the real server's Sphinx index does;
    ``Sandbox(index_lag=0, index_max_in_values=None)`` is the kind, consistent sandbox.
    ``metadata_access_control=True`` switches on every partner's access control on entry
    metadata (a non-admin KS's ``totalCount`` is then its page's own count).
    ``account="mediaspace"`` fills the default partner with a MediaSpace/KMS-shaped account
    (entitlement on, a category tree with a privacy context, members, users, entries; see
    ``accounts``); ``sandbox.account`` holds its ids.
    ``fail_conversions=True`` makes every conversion end in ERROR_CONVERTING (-1), and a pending
    replacement FAILED (also ``sb.faults.fail_conversions``).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        transcode_delay: float = 0.2,
        seed: int = 0,
        final_chunk_wait: float = 45.0,
        host: str = "127.0.0.1",
        port: int = 0,
        index_lag: float = DEFAULT_INDEX_LAG,
        index_max_in_values: int | None = SPHINX_MAX_IN_VALUES,
        metadata_access_control: bool = False,
        category_job_delay: float = 1.0,
        account: str = "default",
        fail_conversions: bool = False,
    ) -> None:
        if (
            transcode_delay < 0
            or final_chunk_wait < 0
            or category_job_delay < 0
            or not index_lag >= 0
        ):
            raise ValueError(
                "transcode_delay, final_chunk_wait, category_job_delay and index_lag must be zero"
                " or more seconds"
            )
        if index_max_in_values is not None and index_max_in_values < 1:
            raise ValueError("index_max_in_values must be 1 or more, or None for no cut")
        accounts.check_name(account)
        self._account_name = account
        self._account: Account | None = None
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self._host, self._port = host, port
        self.clock = SandboxClock()
        self._settings = SandboxSettings(
            transcode_delay,
            final_chunk_wait,
            index_lag=float(index_lag),
            index_max_in_values=index_max_in_values,
            metadata_access_control_all=metadata_access_control,
            category_job_delay=category_job_delay,
            fail_conversions=fail_conversions,
            seed=seed,
        )
        self.faults = Faults(seed, self._settings, self.clock)
        self.stats = Stats()
        self._temp: str | None = None
        self._core: Core | None = None
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Open the store, make the default partner if needed, and start serving."""
        if self._server is not None:
            return self
        if self._data_dir is None:
            self._temp = tempfile.mkdtemp(prefix="kaltura-sandbox-")
            folder, durable = Path(self._temp), False
        else:
            self._data_dir.mkdir(parents=True, exist_ok=True)
            folder, durable = self._data_dir, True
        self._core = Core(folder, durable, self._settings, self.clock)
        if not self._core.partners():
            partner = self._core.add_partner()
            self._account = accounts.make(self._core, self._account_name, partner.partner_id)
        else:
            first = self._core.partners()[0].partner_id
            self._account = accounts.load(self._core, self._account_name, first)
        self._server = SandboxHTTPServer(
            (self._host, self._port), Dispatcher(self._core, self.faults, self.stats)
        )
        self._core.service_url = f"http://{self._host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="kaltura-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, close the store and remove a temporary data folder."""
        if self._server is not None:
            self._server.close_all()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._core is not None:
            self._core.close()
            self._core = None
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def upload_races(self) -> UploadRaces:
        """Return the delays that reproduce the real server's upload races (see ``races``)."""
        return self._settings.upload_races

    @property
    def core(self) -> Core:
        """Return the running core (raises when the sandbox is not started)."""
        if self._core is None:
            raise RuntimeError("the sandbox is not running: use 'with Sandbox() as sb:'")
        return self._core

    @property
    def account(self) -> Account:
        """Return what the account preset made (``account.channel_id("Open channel")``...)."""
        if self._account is None:
            raise RuntimeError("the sandbox is not running: use 'with Sandbox() as sb:'")
        return self._account

    @property
    def index(self) -> SearchIndex:
        """Return the search index lists read (``lag``, ``settle()``, ``pending``)."""
        return self.core.index

    # -- what clients need ------------------------------------------------------------------

    @property
    def service_url(self) -> str:
        """Return ``http://127.0.0.1:PORT`` (clients append ``/api_v3/...``)."""
        return self.core.service_url

    @property
    def default_partner(self) -> Partner:
        """Return the first partner."""
        return self.core.partners()[0]

    @property
    def partner_id(self) -> int:
        """Return the default partner's id."""
        return self.default_partner.partner_id

    @property
    def admin_secret(self) -> str:
        """Return the default partner's admin secret."""
        return self.default_partner.admin_secret

    @property
    def user_secret(self) -> str:
        """Return the default partner's user secret."""
        return self.default_partner.user_secret

    def add_partner(self) -> Partner:
        """Create another, fully isolated partner."""
        return self.core.add_partner()

    def set_metadata_access_control(
        self, enabled: bool = True, partner_id: int | None = None
    ) -> None:
        """Switch a partner's access control on entry metadata (the server's partner setting):
        a non-admin KS's list ``totalCount`` is then the page's own count, however many pages
        remain (``entryPeer::filterSelectResults``)."""
        chosen = self._partner(partner_id).partner_id
        if enabled:
            self._settings.metadata_access_control.add(chosen)
        else:
            self._settings.metadata_access_control.discard(chosen)

    def _partner(self, partner_id: int | None) -> Partner:
        if partner_id is None:
            return self.default_partner
        partner = self.core.partner(partner_id)
        if partner is None:
            raise ValueError(f"partner {partner_id} does not exist: make one with add_partner()")
        return partner

    def add_role(
        self,
        name: str,
        permissions: Iterable[str] | str,
        partner_id: int | None = None,
    ) -> int:
        """Make a role of a partner, as ``userRole.add`` would, and return its id (for a KS's
        ``setrole:<id>``). ``permissions``: permission names (a list or a comma list), ``"*"`` for
        all; a name the real server does not define is a ``ValueError``."""
        text = permissions if isinstance(permissions, str) else ",".join(permissions)
        unknown = sorted(roles.names_of(text) - NORMAL_PERMISSIONS - {"*"})
        if unknown:
            raise ValueError(f"unknown permission names {unknown}: use the server's names")
        if not name:
            raise ValueError("a role needs a name")
        chosen = self._partner(partner_id).partner_id
        values = {"name": name, "permissionNames": text}
        return roles.insert(self.core.store, chosen, values, int(self.clock.now()))

    def set_user_roles(
        self, user_id: str, role_ids: Iterable[int], partner_id: int | None = None
    ) -> None:
        """Give a user of a partner roles of their own, as a KMC user has: a KS of that user (USER
        or ADMIN) without ``setrole`` then acts with them. No ids: back to the session type's
        role. An id that is not a live role of the partner or a global one is a ``ValueError``."""
        chosen = self._partner(partner_id).partner_id
        ids = tuple(role_ids)
        missing = [r for r in ids if roles.find(self.core.store, chosen, str(r)) is None]
        if missing:
            raise ValueError(f"roles {missing} do not exist for partner {chosen}")
        roles.set_holder(self.core.store, chosen, user_id, ids)

    def ks(
        self,
        user_id: str = "",
        admin: bool = True,
        privileges: str = "",
        expiry: int = 86_400,
        partner_id: int | None = None,
    ) -> str:
        """Sign a v2 KS locally, as a client holding the admin secret would."""
        partner = self._partner(partner_id)
        return ks.encode_v2(
            partner.admin_secret,
            partner.partner_id,
            int(self.clock.now()) + expiry,
            ks.ADMIN if admin else ks.USER,
            user_id,
            privileges,
        )

    # -- data -------------------------------------------------------------------------------

    def create_category(self, path: str, partner_id: int | None = None) -> int:
        """Return the id of category ``A>B>C``, creating missing ancestors.

        A test set-up shortcut: new categories are in the search index at once.
        """
        return seeding.create_category(self.core, self._partner(partner_id).partner_id, path)

    def seed_entries(
        self,
        category_id: int | None,
        count: int,
        partner_id: int | None = None,
        media_type: int = 1,
        ready: bool = True,
        name_prefix: str = "entry",
    ) -> list[str]:
        """Insert ``count`` entries in ``category_id`` quickly and return their ids.

        A test set-up shortcut: the entries are in the search index at once, as if they had
        always existed; entries made through the API reach lists only ``index_lag`` later.
        """
        return seeding.seed_entries(
            self.core,
            self._partner(partner_id).partner_id,
            category_id,
            count,
            media_type,
            ready,
            name_prefix,
        )

    def set_entry_replacement(self, allowed: bool, partner_id: int | None = None) -> None:
        """Allow or forbid content replacement (``FEATURE_ENTRY_REPLACEMENT``) for a partner;
        allowed by default. Forbidden: ``updateContent`` on an entry with content answers
        ``FEATURE_FORBIDDEN``."""
        partner = self._partner(partner_id).partner_id
        self.core.set_feature(partner, replacement.FEATURE, allowed)

    def set_partner_feature(
        self, name: str, enabled: bool = True, partner_id: int | None = None
    ) -> None:
        """Give a partner a feature (permission) such as ``FEATURE_DISABLE_CATEGORY_LIMIT``,
        ``FEATURE_ENTITLEMENT`` or ``FEATURE_ENTRY_REPLACEMENT_APPROVAL``, or take it away.
        Those (``core.FEATURES_OFF_BY_DEFAULT``) are off until switched on; every other feature
        is on until switched off."""
        if not name.strip():
            raise ValueError("a feature name is needed, e.g. 'FEATURE_DISABLE_CATEGORY_LIMIT'")
        self.core.set_feature(self._partner(partner_id).partner_id, name.strip(), enabled)

    def set_default_entitlement(self, enforced: bool, partner_id: int | None = None) -> None:
        """Set a partner's default entitlement enforcement (on unless set, as on the server):
        off, only a KS with ``enableentitlement`` is entitled; it needs
        ``FEATURE_ENTITLEMENT`` either way."""
        partner = self._partner(partner_id).partner_id
        self.core.set_feature(partner, entitlement.DEFAULT_ENFORCEMENT, enforced)

    def partner_feature(self, name: str, partner_id: int | None = None) -> bool:
        """Return whether a partner has a feature."""
        return self.core.feature_enabled(self._partner(partner_id).partner_id, name)

    def add_category_user(
        self,
        category_id: int,
        user_id: str,
        permission_level: int = category_users.MEMBER,
        partner_id: int | None = None,
    ) -> None:
        """Make ``user_id`` an active member of a category (``categoryUser``) at
        ``permission_level``: 0 manager, 1 moderator, 2 contributor, 3 member (default), 4 none.
        What entitlement reads; the sandbox has no ``categoryUser`` service."""
        partner = self._partner(partner_id).partner_id
        if (
            self.core.store.one(
                "SELECT 1 FROM categories WHERE id = ? AND partner_id = ? AND status = 2",
                (category_id, partner),
            )
            is None
        ):
            raise ValueError(f"category {category_id} does not exist for partner {partner}")
        if not user_id.strip():
            raise ValueError("a user id is needed, e.g. 'alice@example.com'")
        now = int(self.clock.now())
        category_users.add(self.core.store, partner, category_id, user_id, permission_level, now)

    def entry_bytes(self, entry_id: str) -> Path:
        """Return the path of an entry's original content (what ``downloadUrl`` serves)."""
        row = self.core.store.one("SELECT content_path FROM entries WHERE id = ?", (entry_id,))
        if row is None or row[0] is None:
            raise KeyError(f"entry {entry_id} does not exist or has no content yet")
        return self.core.content_dir / str(row[0])

    def add_app_token(
        self,
        *,
        session_type: int | None = None,
        session_user_id: str | None = None,
        session_privileges: str | None = None,
        session_duration: int | None = None,
        expiry: int | None = None,
        hash_type: str | None = None,
        description: str | None = None,
        status: int = app_tokens.ACTIVE,
        partner_id: int | None = None,
    ) -> dict[str, Any]:
        """Create an app token as ``appToken.add`` would and return its ``KalturaAppToken`` as
        the JSON API shows it (``id`` and ``token`` are what a client needs). ``expiry`` is an
        absolute Unix time; ``status=app_tokens.DISABLED`` makes one only the admin console
        could. ``hash_type`` None reads as SHA1, as on the server."""
        made = app_tokens.insert(
            self.core,
            self._partner(partner_id).partner_id,
            {
                "session_type": session_type,
                "session_user_id": session_user_id,
                "session_privileges": session_privileges,
                "session_duration": session_duration,
                "expiry": expiry,
                "hash_type": hash_type,
                "description": description,
            },
            status,
        )
        return {name: value for name, value in made.items() if value is not None}

    def set_replacement_approval(
        self, required: bool = True, partner_id: int | None = None
    ) -> None:
        """Make a partner's content replacements wait for ``media.approveReplace``
        (``FEATURE_ENTRY_REPLACEMENT_APPROVAL``; off by default): ``replacementStatus`` goes
        NOT_READY_AND_NOT_APPROVED (3), then READY_BUT_NOT_APPROVED (2) once converted."""
        partner = self._partner(partner_id).partner_id
        self.core.set_feature(partner, replacement.APPROVAL_FEATURE, required)

    def __repr__(self) -> str:
        state = self._core.service_url if self._core else "stopped"
        return f"Sandbox({state})"
