"""Typed settings for the web app and API, read from ``PLEXNAV_*`` environment variables.

Why pydantic-settings: one typed object with defaults that work on first run (a SQLite file
in the user's data directory, a session secret generated once and kept beside it), and
every knob overridable from the environment, e.g. ``PLEXNAV_DATABASE_URL`` to use
PostgreSQL (``postgresql+psycopg://user:pass@host:5432/db``).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_FILE = "session-secret.key"
DATABASE_FILE = "plexnav.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLEXNAV_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("plexnav", appauthor=False)),
        description="where the default SQLite database and session secret live",
    )
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: a SQLite file in data_dir (WAL mode)")
    secret_key: str | None = Field(
        None, description="signs session cookies; default: generated once and kept in data_dir"
    )
    session_max_age: int = Field(12 * 3600, ge=60, description="a session ends this long after sign-in, seconds")
    session_idle_seconds: int = Field(30 * 60, ge=60, description="a session unused this long ends, seconds")
    cookie_secure: bool | None = Field(
        None,
        description="send the session cookie over HTTPS only (default: yes unless the app listens on "
        "loopback only or PLEXNAV_PUBLIC_URL is plain http)",
    )
    listen_host: str | None = Field(None, description="set by `plexnav serve`: the address it listens on")
    hsts_max_age: int = Field(
        0,
        ge=0,
        description="send Strict-Transport-Security with this max-age (0: not sent; set it when TLS is in front)",
    )
    body_timeout_seconds: float = Field(30.0, gt=0, description="a request body chunk slower than this gets 408")
    max_body_bytes: int = Field(256 * 1024, ge=1024, description="larger request bodies get 413")
    login_max_failures: int = Field(5, ge=1, description="failed logins allowed per window and key")
    login_window_seconds: int = Field(300, ge=1, description="window of the login rate limit")
    signup_max_per_address: int = Field(30, ge=1, description="new accounts allowed per client address and window")
    signup_window_seconds: int = Field(3600, ge=1, description="window of the registration limit, seconds")
    allow_clinician_signup: bool = Field(
        False,
        description="let people register clinician accounts themselves (they still wait for an "
        "administrator's approval and a verified email before any patient can share with them)",
    )
    public_url: str | None = Field(
        None, description="the address people reach the app at, for links in emails (default: the request's)"
    )
    email_token_max_age: int = Field(
        2 * 24 * 3600, ge=60, description="how long an email verification link works, seconds"
    )
    reset_token_max_age: int = Field(3600, ge=60, description="how long a password reset link works, seconds")
    smtp_host: str | None = Field(None, description="mail server for verification emails (unset: mail is not sent)")
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(False, description="upgrade the SMTP connection with STARTTLS")
    smtp_ssl: bool = Field(False, description="connect to the SMTP server over TLS (port 465 style)")
    smtp_timeout: float = Field(10.0, gt=0)
    mail_from: str = Field("plexnav <no-reply@localhost>", description="From: of the emails plexnav sends")
    database_busy_timeout_ms: int = Field(
        10000, ge=0, description="SQLite: how long a writer waits for the write lock before retrying (then 503)"
    )
    assessment_cache_size: int = Field(
        1024, ge=0, description="identical cases reuse their assessment (assess() is pure); 0 turns it off"
    )
    migrate_on_start: bool = Field(True, description="run the bundled Alembic migrations at start-up")
    emergency_number: str = Field(
        "112",
        pattern=r"^[0-9+*#]{2,15}$",
        description="the local emergency telephone number shown (tap to call) when a red flag is reported",
    )

    frame_ancestors: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="origins (scheme://host[:port], comma- or space-separated) allowed to show plexnav's pages "
        "in a frame, e.g. the EHR that embeds the SMART app; https, or http on loopback only. Empty (the "
        "default): no site may frame plexnav (frame-ancestors 'none'). When set, plexnav's cookies are sent "
        "with SameSite=None; Secure; Partitioned so that the session works inside the EHR's iframe (the web forms "
        "carry CSRF tokens; the JSON API accepts only JSON, which another site cannot send without CORS)",
    )

    @field_validator("frame_ancestors", mode="before")
    @classmethod
    def _origins(cls, value: object) -> tuple[str, ...]:
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("give the allowed origins as text, e.g. 'https://ehr.example.org https://b.example'")
        return tuple(frame_origin(item) for item in items)

    @field_validator("database_url", "smtp_host", "public_url")
    @classmethod
    def _blank_is_default(cls, value: str | None) -> str | None:
        return value or None

    def resolved_cookie_secure(self) -> bool:
        """Secure cookies whenever the app is reachable beyond this machine."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        if self.public_url:
            return self.public_url.lower().startswith("https://")
        return self.listen_host is not None and not is_loopback(self.listen_host)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # health data: owner only
        return f"sqlite:///{self.data_dir / DATABASE_FILE}"

    def resolved_secret_key(self) -> str:
        """The configured secret, else one generated on first run and kept (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        return load_or_create_secret(self.data_dir / SECRET_FILE)


MIN_SECRET_CHARS = 32


class SecretFileError(RuntimeError):
    """The kept session secret is unusable (empty or short): never sign cookies with it."""


def load_or_create_secret(path: Path) -> str:
    """Read the session secret, creating it first if it does not exist.

    Concurrent first starts once produced an empty key (the file existed before its content
    was written) or crashed.  Now the key is written to a private temporary file, flushed to
    disk, and *linked* into place: the link either creates the file complete or fails because
    another process already did, and every process then reads the same key.  An empty or
    short key is refused with a message naming the file, never used.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, path)  # exclusive: fails if another start won the race
            except FileExistsError:
                pass
            else:
                _fsync_dir(path.parent)
        finally:
            os.unlink(tmp)
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_CHARS:
        raise SecretFileError(
            f"{path}: the session secret is {'empty' if not key else 'too short'}; "
            f"delete the file to have a new one made, or set PLEXNAV_SECRET_KEY"
        )
    return key


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def frame_origin(value: object) -> str:
    """One origin of the ``frame_ancestors`` allow-list, normalised (``https://ehr.example.org:8443``).

    Only a plain origin is accepted: a CSP source expression with a path, a wildcard, a keyword or
    a ``;`` would widen the allow-list or break the header."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not an origin (scheme://host[:port])")
    text = value.strip()
    if any(c in text for c in "*;'\"\\") or any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError(f"{text!r}: give an exact origin, scheme://host[:port], without wildcards or quotes")
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{text!r}: the port is not a number from 0 to 65535") from None
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{text!r} is not an origin: it needs https:// and a host")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{text!r}: an origin has no path, query, fragment or user (scheme://host[:port])")
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    if scheme == "http" and not is_loopback(host):
        raise ValueError(f"{text!r}: a framing site must be served over https (plain http only on loopback)")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + (f":{port}" if port is not None else "")


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` / ``postgres://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (the app factory takes an explicit object in tests)."""
    return Settings()
