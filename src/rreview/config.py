"""Settings from the command line, the environment and the config file, in that order."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rreview.errors import UsageError
from rreview.paths import config_file


@dataclass(frozen=True)
class Config:
    """The resolved settings every command shares."""

    log: Path
    engine: str = "offline"


def _read_config_file() -> dict[str, Any]:
    path = config_file()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise UsageError(f"{path}: cannot read config file: {exc}") from exc


def resolve_log(cli_value: Path | None) -> Path:
    """The log to read: `--log`, else `RREVIEW_LOG`, else `log` in the config file."""
    if cli_value is not None:
        path, origin = cli_value, "--log"
    elif os.environ.get("RREVIEW_LOG"):
        path, origin = Path(os.environ["RREVIEW_LOG"]), "RREVIEW_LOG"
    else:
        value = _read_config_file().get("log")
        if not value:
            raise UsageError(
                "no log set: pass --log PATH, set RREVIEW_LOG, or put "
                f'log = "PATH" in {config_file()}'
            )
        path, origin = Path(str(value)), f"config file {config_file()}"
    path = path.expanduser()
    if not path.exists():
        raise UsageError(f"{path}: log not found (from {origin})")
    return path


def load_config(log: Path | None, engine: str | None = None) -> Config:
    """Resolve the shared settings once per command."""
    file_values = _read_config_file()
    chosen_engine = engine or os.environ.get("RREVIEW_ENGINE") or file_values.get("engine")
    return Config(log=resolve_log(log), engine=str(chosen_engine or "offline"))


# --- engines: engine, model, base_url, timeout and keys; the command line wins, then the
# environment, then the config file. Keys are kept out of repr and never printed.

TRUTHY = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class EngineConfig:
    """Which engine writes the prose, and how to reach it."""

    name: str = "offline"
    model: str | None = None
    base_url: str | None = None
    timeout: float = 60.0
    max_retries: int = 2
    offline: bool = False  # --offline or RREVIEW_OFFLINE=1: no network call at all
    explicit: bool = False  # the engine was named on the command line
    file_keys: dict[str, str] = field(default_factory=dict, repr=False)

    def api_key(self, env_var: str) -> str | None:
        """The key from `env_var`, else from the config file (`openai_api_key = ...`)."""
        return os.environ.get(env_var) or self.file_keys.get(env_var) or None


def offline_requested(flag: bool = False) -> bool:
    """True with `--offline` or RREVIEW_OFFLINE=1."""
    return flag or os.environ.get("RREVIEW_OFFLINE", "").strip().lower() in TRUTHY


def load_engine_config(
    engine: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    offline: bool = False,
) -> EngineConfig:
    """The engine settings: options, then RREVIEW_ENGINE/RREVIEW_MODEL/RREVIEW_BASE_URL,
    then the config file (the OpenAI SDK reads its own OPENAI_BASE_URL when none is set)."""
    values = _read_config_file()
    name = engine or os.environ.get("RREVIEW_ENGINE") or values.get("engine") or "offline"
    timeout = os.environ.get("RREVIEW_TIMEOUT") or values.get("timeout") or 60.0
    try:
        seconds = float(timeout)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"timeout '{timeout}': expected a number of seconds") from exc
    file_keys = {
        env: str(values[key])
        for key, env in (
            ("openai_api_key", "OPENAI_API_KEY"),
            ("anthropic_api_key", "ANTHROPIC_API_KEY"),
        )
        if values.get(key)
    }
    return EngineConfig(
        name=str(name),
        model=model or os.environ.get("RREVIEW_MODEL") or values.get("model") or None,
        base_url=base_url or os.environ.get("RREVIEW_BASE_URL") or values.get("base_url") or None,
        timeout=seconds,
        max_retries=int(values.get("max_retries", 2)),
        offline=offline_requested(offline),
        explicit=engine is not None,
        file_keys=file_keys,
    )


# --- e-mail: [smtp] and [email] tables, each setting overridden by its environment variable

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
SMTP_KEYS: dict[str, str | None] = {
    "host": "RREVIEW_SMTP_HOST",
    "port": "RREVIEW_SMTP_PORT",
    "security": "RREVIEW_SMTP_SECURITY",
    "user": "RREVIEW_SMTP_USER",
    "password": "RREVIEW_SMTP_PASSWORD",
    "password_command": None,
    "ca_file": None,
    "timeout": None,
}
EMAIL_KEYS: dict[str, str | None] = {"from": "RREVIEW_EMAIL_FROM", "to": "RREVIEW_EMAIL_TO"}


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server. The password is never printed (repr hides it)."""

    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None  # extra CA to trust (a self-hosted server's certificate)
    timeout: float = 30.0


@dataclass(frozen=True)
class MailSettings:
    """Who the weekly e-mail is from and to, and the server (None when only writing a file)."""

    sender: str
    recipients: tuple[str, ...]
    smtp: SmtpSettings | None


class _Settings:
    """One table of the config file with its environment overrides; errors name both."""

    def __init__(self, table: str, keys: dict[str, str | None]) -> None:
        raw = _read_config_file().get(table, {})
        if not isinstance(raw, dict):
            raise UsageError(f"{config_file()}: [{table}] must be a table")
        unknown = sorted(set(raw) - set(keys))
        if unknown:
            raise UsageError(
                f"{config_file()}: unknown setting '{unknown[0]}' under [{table}] "
                f"(known: {', '.join(keys)})"
            )
        self.table, self.keys, self.raw = table, keys, raw

    def get(self, key: str) -> tuple[Any, str] | None:
        """The value and where it came from, or None if unset."""
        env = self.keys[key]
        if env and os.environ.get(env):
            return os.environ[env], env
        if key in self.raw and self.raw[key] not in ("", None):
            return self.raw[key], f"{key} under [{self.table}] in {config_file()}"
        return None

    def fix(self, key: str, example: str) -> str:
        """How to set `key`: its variable, or the line to put in the config file."""
        env = self.keys[key]
        line = f"{key} = {example} under [{self.table}] in {config_file()}"
        return f"set {env} or put {line}" if env else f"put {line}"


def _addresses(value: Any, origin: str) -> tuple[str, ...]:
    """`value` (a string of comma-separated addresses, or a list) as checked addresses."""
    from email.utils import formataddr, getaddresses

    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        raise UsageError(f"{origin}: expected an e-mail address or a list of them")
    found = [(name, addr.strip()) for name, addr in getaddresses(items) if name or addr]
    bad = [addr for _, addr in found if "@" not in addr or " " in addr]
    if bad or not found:
        shown = bad[0] if bad else value
        raise UsageError(f"{origin}: '{shown}' is not an e-mail address (e.g. me@example.org)")
    return tuple(formataddr(pair) for pair in found)


def _password(smtp: _Settings, user: str | None) -> str | None:
    given = smtp.get("password")
    command = smtp.get("password_command")
    if user is None:
        for value in (given, command):
            if value:
                raise UsageError(
                    f"an SMTP password is set ({value[1]}) but no user: "
                    + smtp.fix("user", '"me@example.org"')
                )
        return None
    if given:
        return str(given[0])
    if not command:
        raise UsageError(
            f"SMTP password not set for user {user}: set RREVIEW_SMTP_PASSWORD, or put "
            f'password_command = "secret-tool lookup service rreview" under [smtp] in '
            f"{config_file()}"
        )
    return _run_password_command(str(command[0]))


def _run_password_command(command: str) -> str:
    import subprocess

    try:
        done = subprocess.run(
            ["sh", "-c", command], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"[smtp] password_command could not run: {exc}") from exc
    password = done.stdout.rstrip("\r\n")
    if done.returncode != 0 or not password:
        reason = (done.stderr.strip().splitlines() or ["no output"])[0][:200]
        raise UsageError(
            f"[smtp] password_command failed (exit {done.returncode}): {reason}; "
            f"fix the command in {config_file()}"
        )
    return password


def load_smtp_settings() -> SmtpSettings:
    """The SMTP settings, checked: a missing or wrong one is a UsageError naming it."""
    smtp = _Settings("smtp", SMTP_KEYS)
    host = smtp.get("host")
    if not host:
        raise UsageError("SMTP host not set: " + smtp.fix("host", '"smtp.example.org"'))
    security_value = smtp.get("security") or ("starttls", "default")
    security = str(security_value[0]).strip().lower()
    if security not in SECURITY_PORTS:
        raise UsageError(
            f"{security_value[1]}: '{security_value[0]}' is not a security mode "
            "(starttls, ssl or none)"
        )
    port_value = smtp.get("port") or (SECURITY_PORTS[security], "default")
    try:
        port = int(str(port_value[0]).strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise UsageError(f"{port_value[1]}: '{port_value[0]}' is not a port number (1-65535)")
    user_value = smtp.get("user")
    user = str(user_value[0]) if user_value else None
    ca_value = smtp.get("ca_file")
    ca_file = Path(str(ca_value[0])).expanduser() if ca_value else None
    if ca_value and ca_file and not ca_file.is_file():
        raise UsageError(f"{ca_value[1]}: '{ca_file}' is not a file")
    timeout_value = smtp.get("timeout") or (30, "default")
    if not isinstance(timeout_value[0], int | float) or timeout_value[0] <= 0:
        raise UsageError(f"{timeout_value[1]}: expected a number of seconds above 0")
    return SmtpSettings(
        host=str(host[0]).strip(),
        port=port,
        security=security,
        user=user,
        password=_password(smtp, user),
        ca_file=ca_file,
        timeout=float(timeout_value[0]),
    )


def load_mail_settings(to: str | None = None, *, need_smtp: bool = True) -> MailSettings:
    """Sender, recipients (`to` from the command line first) and, if `need_smtp`, the server.
    Without `need_smtp` (writing a file only) a missing sender or recipient has a stand-in."""
    email = _Settings("email", EMAIL_KEYS)
    sender_value = email.get("from")
    to_value: tuple[Any, str] | None = (to, "--to") if to else email.get("to")
    if need_smtp and not sender_value:
        raise UsageError("e-mail sender not set: " + email.fix("from", '"me@example.org"'))
    if need_smtp and not to_value:
        raise UsageError(
            "e-mail recipient not set: pass --to ADDR, or " + email.fix("to", '"me@example.org"')
        )
    placeholder = ("rreview@localhost", "stand-in")
    sender = _addresses(*(sender_value or placeholder))
    if len(sender) != 1:
        raise UsageError(f"{(sender_value or placeholder)[1]}: expected one sender address")
    return MailSettings(
        sender=sender[0],
        recipients=_addresses(*(to_value or placeholder)),
        smtp=load_smtp_settings() if need_smtp else None,
    )


# --- the vector store: embedded in RREVIEW_HOME (default), or a Chroma server a lab shares

LOCAL_STORE = {"", "local", "embedded"}
COLLECTION_RE = r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{1,510})[A-Za-z0-9]$"  # Chroma's rule


@dataclass(frozen=True)
class StoreSettings:
    """Where item vectors live. `url` None: the embedded store beside the index; else a
    Chroma server (`chroma run`), in `collection` (default: one per person)."""

    url: str | None = None
    collection: str | None = None
    token: str | None = field(default=None, repr=False)  # sent as a Bearer header (a proxy's)

    @property
    def remote(self) -> bool:
        """True for a Chroma server."""
        return self.url is not None


def resolve_store(url: str | None = None, collection: str | None = None) -> StoreSettings:
    """The store: `--store`, else RREVIEW_STORE, else `store = "..."` in the config file, else
    the embedded one ("local" names it explicitly); the collection likewise from
    `--collection`, RREVIEW_COLLECTION, `collection = "..."`; the token from
    RREVIEW_STORE_TOKEN or `store_token`."""
    import re
    from urllib.parse import urlsplit

    values = _read_config_file()
    candidates = (
        (url, "--store"),
        (os.environ.get("RREVIEW_STORE"), "RREVIEW_STORE"),
        (values.get("store"), f"store in {config_file()}"),
    )
    value, origin = next(((v, o) for v, o in candidates if v is not None), (None, "default"))
    chosen = str(value).strip() if value is not None else ""
    if chosen.lower() in LOCAL_STORE:
        return StoreSettings()
    parts = urlsplit(chosen)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in {"http", "https"} or not parts.hostname or port == -1:
        raise UsageError(
            f"{origin}: '{chosen}' is not a Chroma server URL (e.g. http://chroma.lab:8000), "
            "nor 'local'"
        )
    name = collection or os.environ.get("RREVIEW_COLLECTION") or values.get("collection") or None
    if name is not None and not re.match(COLLECTION_RE, str(name)):
        raise UsageError(
            f"collection '{name}': 3-512 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    token = os.environ.get("RREVIEW_STORE_TOKEN") or values.get("store_token") or None
    return StoreSettings(
        url=chosen.rstrip("/"),
        collection=str(name) if name else None,
        token=str(token) if token else None,
    )
