"""Shared set-up of the account end-to-end tests: one MediaSpace-shaped sandbox per module, and
sessions made the way a user makes them (an admin makes a role and an app token; the command
then runs with the token alone), or a USER KS as MediaSpace signs one."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from kaltura_mm.cli import main
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.accounts import ALICE, GALLERIES
from tests.cli.conftest import KALTURA_VARS

KMC = "disableentitlement"  # what KMC signs its own sessions with on an entitled partner
KMS_USER = "privacycontext:MediaSpace"  # what MediaSpace adds to its users' sessions
# a role must hold a permission: one no command of kaltura-mm uses, for a role lacking all
FILLER = "CONTENT_MANAGE_THUMBNAIL"
_names = itertools.count()


@attrs.frozen
class Result:
    """What one ``main(argv)`` run did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        """Return stdout parsed as JSON lines."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


Runner = Callable[..., Result]


@pytest.fixture(scope="module")
def mediaspace() -> Iterator[Sandbox]:
    """One MediaSpace-shaped sandbox for the whole module (each test works in its own
    categories); lists lag writes by a second, so a test settles the index where it lists."""
    with Sandbox(
        account="mediaspace", index_lag=1.0, final_chunk_wait=5.0, category_job_delay=0.0
    ) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Remove every KALTURA_* variable; the config file and state dir go into tmp_path."""
    for name in KALTURA_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KALTURA_MM_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("KALTURA_MM_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Runner:
    """Return a function running ``main(argv)`` and capturing its output."""

    def run(*argv: str) -> Result:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def unique(prefix: str) -> str:
    """Return a name no other test of the module uses."""
    return f"{prefix}{next(_names)}"


def category(sandbox: Sandbox, name: str | None = None) -> tuple[int, str]:
    """Make a gallery of the MediaSpace tree of the test's own; return its id and full name."""
    full = f"{GALLERIES}>{name or unique('case')}"
    return sandbox.create_category(full), full


@attrs.define
class Sessions:
    """Switch the environment between the admin (set-up, checks) and the session under test."""

    sandbox: Sandbox
    cli: Runner
    monkeypatch: pytest.MonkeyPatch

    def _base(self) -> None:
        for name in KALTURA_VARS:
            self.monkeypatch.delenv(name, raising=False)
        self.monkeypatch.setenv("KALTURA_SERVICE_URL", self.sandbox.service_url)
        self.monkeypatch.setenv("KALTURA_PARTNER_ID", str(self.sandbox.partner_id))

    def admin(self) -> None:
        """The partner's admin: the admin secret alone."""
        self._base()
        self.monkeypatch.setenv("KALTURA_ADMIN_SECRET", self.sandbox.admin_secret)

    def kmc(self, user_id: str = "") -> None:
        """The admin as KMC works: an ADMIN KS signed with ``disableentitlement`` (the admin
        secret's own KS is entitled on this account and does not see MediaSpace categories)."""
        self._base()
        self.monkeypatch.setenv("KALTURA_KS", self.sandbox.ks(user_id, privileges=KMC))

    def app_token(self, permissions: Iterable[str], privileges: str = KMC) -> dict[str, Any]:
        """As docs/least-privilege.md says: the admin makes a role with ``permissions`` and a
        token taking it (``auth role create`` / ``auth apptoken create --role``); then only
        ``KALTURA_APP_TOKEN_ID``/``KALTURA_APP_TOKEN`` are set. Return the token's record."""
        self.admin()
        role = unique("kmm-role-")
        names = ",".join(permissions) or FILLER
        made = self.cli("--json", "auth", "role", "create", role, "--permissions", names)
        assert made.code == 0, made.err
        args = ["--json", "auth", "apptoken", "create", "--role", role]
        if privileges:
            args += ["--privileges", privileges]
        token = self.cli(*args)
        assert token.code == 0, token.err
        record: dict[str, Any] = token.json_lines()[0]
        self._base()
        self.monkeypatch.setenv("KALTURA_APP_TOKEN_ID", record["id"])
        self.monkeypatch.setenv("KALTURA_APP_TOKEN", record["token"])
        return record

    def user_token(self, user_id: str, privileges: str) -> dict[str, Any]:
        """docs/least-privilege.md's read-only recipe: a USER token (no role: the partner's user
        role), made with ``auth apptoken create --type user``; then the token alone is set."""
        self.admin()
        args = ["--json", "auth", "apptoken", "create", "--type", "user", "--user-id", user_id]
        made = self.cli(*args, "--privileges", privileges)
        assert made.code == 0, made.err
        record: dict[str, Any] = made.json_lines()[0]
        self._base()
        self.monkeypatch.setenv("KALTURA_APP_TOKEN_ID", record["id"])
        self.monkeypatch.setenv("KALTURA_APP_TOKEN", record["token"])
        return record

    def user(self, user_id: str = ALICE, privileges: str = KMS_USER) -> None:
        """A MediaSpace user's USER session (``KALTURA_KS``), signed as KMS signs it."""
        self._base()
        ks = self.sandbox.ks(admin=False, user_id=user_id, privileges=privileges)
        self.monkeypatch.setenv("KALTURA_KS", ks)


@pytest.fixture
def sessions(mediaspace: Sandbox, cli: Runner, monkeypatch: pytest.MonkeyPatch) -> Sessions:
    """Return the session switcher of the module's sandbox."""
    return Sessions(mediaspace, cli, monkeypatch)
