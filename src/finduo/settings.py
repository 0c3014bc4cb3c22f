"""Settings: declared once (name, default, help), read from ``FINDUO_*`` variables.

The same declarations feed the CLI help and the README's configuration table
(a test fails when a setting is undocumented).
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from finduo.errors import ConfigError

_PLACEHOLDERS = {"", "change-me", "changeme", "secret", "placeholder"}


def _default_state_dir() -> Path:
    return Path(os.path.expanduser("~/.local/share/finduo"))


class Settings(BaseSettings):
    """Every setting of finduo; each is also an environment variable."""

    model_config = SettingsConfigDict(env_prefix="FINDUO_", extra="ignore")

    data_dir: Path | None = Field(
        default=None,
        description="Folder with the public data sets (read-only); "
        "each in its own sub-folder, e.g. german-credit/.",
    )
    state_dir: Path = Field(
        default_factory=_default_state_dir,
        description="Folder for everything finduo writes: store, models, "
        "downloads, reports.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default: SQLite file "
        "finduo.db in the state folder. PostgreSQL: postgresql+psycopg://...",
    )
    audit_key: str | None = Field(
        default=None,
        description="Secret key for the keyed hashes (HMAC) of personal data in "
        "audit events; default: generated once into the state folder.",
    )
    session_secret: str | None = Field(
        default=None,
        description="Secret that signs console session cookies; default: "
        "generated once into the state folder.",
    )
    user: str | None = Field(
        default=None,
        description="Name of the user the CLI acts as (same as --as).",
    )
    policy: Path | None = Field(
        default=None,
        description="Policy file to decide with; default: the active policy "
        "in the store, else the shipped German-credit policy.",
    )
    batch_limit: int = Field(
        default=1000,
        ge=1,
        description="Most applications accepted by one POST /v1/decisions/batch.",
    )
    max_request_bytes: int = Field(
        default=1_000_000,
        ge=1024,
        description="Largest request body the API accepts, in bytes.",
    )
    reload_seconds: float = Field(
        default=5.0,
        ge=0.0,
        description="How often each API worker looks for a newly activated "
        "policy, promoted model or changed challenger and switches to it; "
        "0 never (restart to switch).",
    )
    bad_days_past_due: int = Field(
        default=90,
        ge=1,
        description="Days past due at which an account counts as bad.",
    )
    performance_window_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description="Months after the decision in which a bad event counts; a "
        "decision is mature once they have passed.",
    )
    fraud_is_bad: bool = Field(
        default=True, description="Whether confirmed fraud counts as bad."
    )
    retention_application_months: int = Field(
        default=24,
        ge=1,
        description="Months the applicant's inputs are kept after the decision "
        "(finduo purge).",
    )
    monitor_min_psi_rows: int = Field(
        default=300,
        ge=1,
        description="Fewest recent decisions behind a PSI figure in finduo "
        "monitor and the console; fewer read 'too few (n=...)' (sampling noise "
        "alone nears the 0.10 line below a few hundred).",
    )
    monitor_min_group_size: int = Field(
        default=100,
        ge=1,
        description="Fewest decisions in a fairness group (matured outcomes for "
        "its error rates) for its approval rate and ratio to be shown and "
        "flagged; smaller groups read 'too few (n=...)'.",
    )
    retention_case_text_months: int = Field(
        default=24,
        ge=1,
        description="Months reviewers' comments and case details are kept "
        "(finduo purge).",
    )

    @property
    def models_dir(self) -> Path:
        return self.state_dir / "models"

    @property
    def downloads_dir(self) -> Path:
        return self.state_dir / "downloads"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.state_dir / 'finduo.db'}"

    def secret(self, name: str) -> str:
        """A secret from the environment, else one generated once per state folder.

        Refuses placeholder values so that a deployment never runs with them.
        """
        value = {"audit_key": self.audit_key, "session_secret": self.session_secret}[
            name
        ]
        if value is not None:
            if value.strip().lower() in _PLACEHOLDERS or len(value) < 16:
                raise ConfigError(
                    f"FINDUO_{name.upper()} must be a real secret of at least 16 "
                    "characters; got a placeholder or a short value."
                )
            return value
        path = self.state_dir / "secrets" / name
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token)
        return token


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear``)."""
    return Settings()


__all__ = ["Settings", "get_settings"]
