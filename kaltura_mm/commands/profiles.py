"""Where the command line's settings come from: flags, then env vars, then a profile.

Precedence is flags > environment (``KALTURA_*``) > the chosen profile of the config file (TOML at
``$KALTURA_MM_CONFIG`` or the platform's config dir). Secrets (admin secret, KS) are never taken
from argv, and never read from a config file that others can read (it must be mode 0600)::

    default_profile = "prod"

    [profiles.prod]
    region = "frp2"            # or service_url = "https://api.de.kaltura.com"
    partner_id = 12345
    user_id = "admin@example.com"
    admin_secret = "..."       # only in a 0600 file

    [profiles.uploader]        # an app token instead (`kaltura-mm auth apptoken create`)
    region = "frp2"
    partner_id = 12345
    app_token_id = "0_abc123"
    app_token = "..."          # only in a 0600 file
    app_token_hash = "sha256"
"""

from __future__ import annotations

import os
import shlex
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import platformdirs

from kaltura_mm.commands.failures import CliError

ENV_VARS: Mapping[str, str] = {
    "service_url": "KALTURA_SERVICE_URL",
    "partner_id": "KALTURA_PARTNER_ID",
    "ks": "KALTURA_KS",
    "admin_secret": "KALTURA_ADMIN_SECRET",
    "user_id": "KALTURA_USER_ID",
    "region": "KALTURA_REGION",
    "app_token_id": "KALTURA_APP_TOKEN_ID",
    "app_token": "KALTURA_APP_TOKEN",
    "app_token_hash": "KALTURA_APP_TOKEN_HASH",
}
CONFIG_ENV = "KALTURA_MM_CONFIG"
PROFILE_ENV = "KALTURA_MM_PROFILE"
SECRET_KEYS = frozenset({"ks", "admin_secret", "app_token"})
KNOWN_KEYS = frozenset(ENV_VARS)


@attrs.frozen(kw_only=True)
class ConnectionSettings:
    """The connection settings of one run, and where each came from (``sources``)."""

    service_url: str | None = None
    region: str | None = None
    partner_id: int | None = None
    user_id: str | None = None
    ks: str | None = attrs.field(default=None, repr=False)
    admin_secret: str | None = attrs.field(default=None, repr=False)
    app_token_id: str | None = None
    app_token: str | None = attrs.field(default=None, repr=False)
    app_token_hash: str | None = None
    profile: str | None = None
    sources: Mapping[str, str] = attrs.field(factory=dict, repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the secret values, for redaction."""
        return tuple(s for s in (self.ks, self.admin_secret, self.app_token) if s)


def config_path(env: Mapping[str, str]) -> Path:
    """Return the config file's path: ``$KALTURA_MM_CONFIG`` or the platform's config dir."""
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    return Path(platformdirs.user_config_dir("kaltura-mm")) / "config.toml"


def read_config(path: Path) -> dict[str, Any]:
    """Return the parsed config file, or ``{}`` when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        problem = f"cannot read the config file {path}: {exc.strerror}"
        raise CliError(problem, "fix its permissions") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"the config file {path} is not valid TOML ({exc})", "fix it") from exc


def profile_names(config: Mapping[str, Any]) -> list[str]:
    """Return the profile names defined in a parsed config file."""
    profiles = config.get("profiles", {})
    return sorted(profiles) if isinstance(profiles, dict) else []


def load_profile(path: Path, name: str | None) -> tuple[str | None, dict[str, Any]]:
    """Return the chosen profile's name and values (``name`` or the file's default profile)."""
    config = read_config(path)
    chosen = name or config.get("default_profile")
    if chosen is None:
        return None, {}
    profiles = config.get("profiles", {})
    if not isinstance(profiles, dict) or chosen not in profiles:
        known = ", ".join(profile_names(config)) or "none"
        raise CliError(
            f"no profile {chosen!r} in {path} (profiles: {known})",
            f"add a [profiles.{chosen}] table to {path} or pick another --profile",
        )
    values = dict(profiles[chosen])
    _check_keys(path, chosen, values)
    if SECRET_KEYS & values.keys():
        _check_private(path)
    return chosen, values


def _check_keys(path: Path, profile: str, values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise CliError(
            f"profile {profile!r} in {path} has unknown keys: {', '.join(unknown)}",
            f"use only {', '.join(sorted(KNOWN_KEYS))}",
        )


def _check_private(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CliError(
            f"{path} holds a secret but others can read it (mode {mode:04o})",
            f"run `chmod 600 {shlex.quote(str(path))}`",
        )


def resolve(
    flags: Mapping[str, Any], env: Mapping[str, str], profile: str | None = None
) -> ConnectionSettings:
    """Merge flags > env > profile into ``ConnectionSettings``; refuse malformed values."""
    name, values = load_profile(config_path(env), profile or env.get(PROFILE_ENV) or None)
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    layers = (
        (f"profile {name}", values),
        ("env", {k: env[v] for k, v in ENV_VARS.items() if env.get(v)}),
        ("flag", {k: v for k, v in flags.items() if v is not None}),
    )
    for source, layer in layers:
        for key, value in layer.items():
            merged[key] = value
            sources[key] = source
        # A server named by a higher layer replaces the lower layers' (URL or region alike).
        for key, other in (("service_url", "region"), ("region", "service_url")):
            if key in layer and other not in layer:
                merged.pop(other, None)
                sources.pop(other, None)
    partner = merged.pop("partner_id", None)
    partner_id = _partner_id(partner, sources["partner_id"]) if partner is not None else None
    text = {key: str(value) for key, value in merged.items()}
    return ConnectionSettings(**text, partner_id=partner_id, profile=name, sources=sources)


def _partner_id(value: Any, source: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or isinstance(value, bool):
        raise CliError(
            f"the partner id from {source} is {value!r}, not a positive number",
            "set it to your Kaltura partner id, e.g. KALTURA_PARTNER_ID=12345",
        )
    return number


def environment() -> dict[str, str]:
    """Return a copy of the process environment."""
    return dict(os.environ)
