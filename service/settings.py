"""Settings: one typed object read from `APPRAISAL_*` variables and passed in explicitly."""

import contextlib
import os
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from domain.deadlines import DEFAULT_DAYS, check_days
from domain.errors import InvalidError
from domain.reminders import origin_of
from ledger.keys import SigningKey, SigningKeyError, read_key, write_key, write_new

MIN_KEY_BYTES = 32


class SettingsError(Exception):
    """The configuration cannot work; said at start-up, before anything is served."""


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="APPRAISAL_")

    database_url: str = "sqlite:///var/appraisal.db"
    secret_key: str | None = None
    admin_password: str | None = None
    # A token (and a page session) lasts this long; then one signs in again.
    token_minutes: int = 60
    # Sign-in failures allowed in a window before 429: per username, and per client address
    # (higher: many people may share one address behind a gateway).
    sign_in_failures_per_user: int = 5
    sign_in_failures_per_address: int = 20
    sign_in_window_seconds: int = 15 * 60
    # argon2 (64 MiB, ~0.1 s of a core a check) runs on this many threads of its own, with
    # at most `hashing_queue` more waiting; beyond that, 503 rather than a queue without end.
    # Half the cores, 2 at most: a burst of sign-ins leaves the rest to everyone else (on 2
    # busy cores, GET /me's p95 during a burst rose far less with 1 thread than with 2).
    hashing_threads: int = Field(default_factory=lambda: _half_the_cores(2))
    hashing_queue: int = 16
    max_body_bytes: int = 1024 * 1024
    # Request threads, for anyio's pool and for the sign-offs' own: a few, so that they do
    # not fight the event loop for the GIL (docs/PERFORMANCE.md: no cost in throughput; its
    # effect on the p99 was not steady).
    threads: int = 8
    # The web pages' session cookie is sent over HTTPS only; browsers also accept it on
    # http://localhost and http://127.0.0.1. Turn off only behind a plain-HTTP test proxy.
    cookie_secure: bool = True
    # Whether this process keeps the read models current itself, on a thread: a one-process
    # service. `appraisal serve` turns it off in its API processes and runs the projection
    # worker (`appraisal projections run`) beside them.
    follow: bool = True
    # How long a read waits for the read models to show the caller's last write before it
    # answers with what they have, saying how far behind they are.
    read_wait_seconds: float = Field(default=2.0, ge=0, le=30)
    # Comma-separated CIDRs whose clients may read GET /metrics without a token (e.g. the
    # Prometheus server's); none by default, loopback included: only administrators may.
    metrics_allow: str = ""
    # The log (ledger/): its hash, chosen once for a store's life (SM3, GB/T 32905, or
    # SHA-256); its name in checkpoints (a schema-less URL, no spaces or '+'), to which
    # the hash is appended; the service's Ed25519 key file (made beside an SQLite store on
    # first start; a PostgreSQL deployment names one made by `appraisal checkpoint
    # service-key FILE`); and the most minutes between checkpoints while the log grows.
    ledger_hash: Literal["sm3", "sha256"] = "sm3"
    ledger_origin: str = Field(default="appraisal.local/zones", pattern=r"^[^\s+]{1,190}$")
    ledger_key_file: str | None = None
    checkpoint_minutes: float = Field(default=60, gt=0, le=24 * 60)
    # Each step's default due date, as a day of the month after its period, where neither
    # the branch nor an administrator set one (JSON: {"self_check": 5, ...}).
    deadline_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DAYS))

    # The daily digests' e-mail (`appraisal remind`): the SMTP server, its account if it
    # wants one, the sender, and whether the connection is upgraded with STARTTLS.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "appraisal@localhost"
    smtp_starttls: bool = False
    # Webhook origins (`scheme://host[:port]`, comma-separated) users may name beside the
    # robot services' own hosts (domain.reminders.OFFICIAL), e.g. an intranet relay.
    webhook_origins: str = ""
    # The address people open the service at (e.g. https://zones.example.cn), for the link
    # to "我的待办" in the reminders; none: the reminders name no address.
    public_url: str | None = Field(default=None, pattern=r"^https?://[!-~]{1,200}$")
    # Seconds a channel is given to take a message before the try counts as failed.
    remind_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @property
    def inbox_url(self) -> str | None:
        """The address of "我的待办" that reminders link to, if the public one is known."""
        return None if self.public_url is None else f"{self.public_url.rstrip('/')}/app/inbox"

    @property
    def allowed_origins(self) -> frozenset[str]:
        """The webhook origins the operator allows, as domain.reminders.origin_of writes
        them."""
        return frozenset(origin_of(urlsplit(o.strip()))
                         for o in self.webhook_origins.split(",") if o.strip())

    @field_validator("deadline_days")
    @classmethod
    def _deadline_days(cls, days: dict[str, int]) -> dict[str, int]:
        try:
            return check_days(days)
        except InvalidError as error:
            raise ValueError(str(error)) from None

    @property
    def url(self) -> URL:
        try:
            url = make_url(self.database_url)
        except ArgumentError as error:
            raise SettingsError(f"APPRAISAL_DATABASE_URL is not a database URL: {error}") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise SettingsError("APPRAISAL_DATABASE_URL must be sqlite:/// or postgresql://")
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def signing_key(self) -> str:
        """The token secret: given, or (embedded default) generated once beside the database."""
        if self.secret_key:
            if len(self.secret_key.encode()) < MIN_KEY_BYTES:  # HS256 wants 256 bits of key
                raise SettingsError(f"APPRAISAL_SECRET_KEY must be {MIN_KEY_BYTES} bytes at least")
            return self.secret_key
        if not self.is_sqlite:
            raise SettingsError("a PostgreSQL deployment needs APPRAISAL_SECRET_KEY")
        path = Path(self.url.database or "appraisal.db").with_suffix(".secret")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Of two processes starting at once, one link wins and both read its secret.
            with contextlib.suppress(FileExistsError):
                write_new(path, secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def origin(self) -> str:
        """The log's name in its checkpoints: the configured name and the hash."""
        return f"{self.ledger_origin}/{self.ledger_hash}"

    def ledger_key_path(self) -> Path:
        """The service's signing key: as configured, or (embedded default) beside SQLite's
        file, where the first start makes it."""
        if self.ledger_key_file:
            return Path(self.ledger_key_file)
        if not self.is_sqlite:
            raise SettingsError("a PostgreSQL deployment needs APPRAISAL_LEDGER_KEY_FILE "
                                "(make one with `appraisal checkpoint service-key FILE`)")
        return Path(self.url.database or "appraisal.db").with_suffix(".ledger.key")

    def service_key(self) -> SigningKey:
        """The service's key for signing checkpoints: made on the first start beside an
        SQLite store (0600), read from the configured file otherwise."""
        path = self.ledger_key_path()
        if self.is_sqlite and not self.ledger_key_file and not path.exists():
            with contextlib.suppress(SigningKeyError):  # another process made it first
                write_key(path, SigningKey.generate(self.origin))
        try:
            key = read_key(path)
        except SigningKeyError as error:
            raise SettingsError(f"the service key: {error}") from None
        if key.name != self.origin:
            raise SettingsError(f"the service key {path} signs for {key.name}, not for this "
                                f"log, {self.origin}")
        return key


def _half_the_cores(most: int) -> int:
    return min(most, max(1, (os.cpu_count() or 2) // 2))
