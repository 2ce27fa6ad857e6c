"""Settings: one typed object read from `APPRAISAL_*` variables and passed in explicitly."""

import os
import secrets
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class SettingsError(Exception):
    """The configuration cannot work; said at start-up, before anything is served."""


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="APPRAISAL_")

    database_url: str = "sqlite:///var/appraisal.db"
    secret_key: str | None = None
    admin_password: str | None = None
    token_minutes: int = 8 * 60
    max_body_bytes: int = 1024 * 1024
    # Request threads: a few, so that they do not fight the event loop for the GIL
    # (docs/PERFORMANCE.md: no cost in throughput; its effect on the p99 was not steady).
    threads: int = 8
    # The web pages' session cookie is sent over HTTPS only; browsers also accept it on
    # http://localhost and http://127.0.0.1. Turn off only behind a plain-HTTP test proxy.
    cookie_secure: bool = True

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
            return self.secret_key
        if not self.is_sqlite:
            raise SettingsError("a PostgreSQL deployment needs APPRAISAL_SECRET_KEY")
        path = Path(self.url.database or "appraisal.db").with_suffix(".secret")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: of two processes starting at once, one writes and both read it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
        return path.read_text().strip()
