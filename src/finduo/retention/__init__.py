"""Retention and erasure of personal data, with the audit chain intact.

Retention periods per kind of record (settings, in months):

* application data (the applicant's inputs):
  ``FINDUO_RETENTION_APPLICATION_MONTHS``, default 24;
* case texts (reviewers' comments, case details):
  ``FINDUO_RETENTION_CASE_TEXT_MONTHS``, default 24;
* decision records (scores, versions, reasons, fingerprint), outcomes (ids,
  kinds, dates) and audit events (ids, keyed hashes) hold no personal data
  and are not purged: they are what accountability rests on.

``finduo purge --before DATE`` blanks application data and case texts of
decisions taken before DATE. Audit events only ever held references and
keyed hashes (HMAC) of personal data, so no event changes and ``finduo audit
verify`` still passes; the purge itself is audited (counts only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from finduo.errors import ConflictError
from finduo.settings import Settings
from finduo.store.analytics import erase_case_texts, unerased_before

logger = logging.getLogger(__name__)

_CHUNK = 1000


class RetentionSettings(BaseModel):
    """How long personal data is kept, per kind of record.

    Fields not given come from :class:`finduo.settings.Settings`
    (``FINDUO_RETENTION_*``), where they are declared and described once.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    retention_application_months: int = Field(
        default_factory=lambda: Settings().retention_application_months, ge=1
    )
    retention_case_text_months: int = Field(
        default_factory=lambda: Settings().retention_case_text_months, ge=1
    )

    def earliest_allowed(self, now: datetime | None = None) -> datetime:
        """Latest ``--before`` date that erases only data past every retention."""
        now = now or datetime.now(UTC)
        months = min(self.retention_application_months, self.retention_case_text_months)
        stamp = pd.Timestamp(now) - pd.DateOffset(months=months)
        return stamp.to_pydatetime()


@dataclass(frozen=True)
class PurgeReport:
    before: datetime
    decisions_considered: int
    applications_erased: int
    cases_with_text_erased: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.isoformat(),
            "decisions_considered": self.decisions_considered,
            "applications_erased": self.applications_erased,
            "cases_with_text_erased": self.cases_with_text_erased,
        }


def purge(
    store: Any,
    before: datetime,
    actor: str,
    *,
    settings: RetentionSettings | None = None,
    force: bool = False,
    now: datetime | None = None,
) -> PurgeReport:
    """Erase personal data of decisions taken before ``before``.

    Raises
    ------
    ConflictError
        When ``before`` lies within a retention period (data would be erased
        early) and ``force`` is not set.
    """
    settings = settings or RetentionSettings()
    if before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    limit = settings.earliest_allowed(now)
    if before > limit and not force:
        raise ConflictError(
            f"--before {before.date()} would erase data still within retention "
            f"(personal data is kept until {limit.date()}); choose an earlier date "
            "or --force for an erasure that the law requires now",
            before=before.isoformat(),
        )
    ids = unerased_before(store, before)
    erased = 0
    for start in range(0, len(ids), _CHUNK):
        erased += store.erase_application_data(ids[start : start + _CHUNK], actor)
    cases = erase_case_texts(store, ids, actor)
    store.record_event(
        actor,
        "retention.purged",
        "retention",
        before.date().isoformat(),
        {
            "applications_erased": erased,
            "cases_with_text_erased": cases,
            "forced": force,
        },
    )
    logger.info("purge before %s: %d applications, %d cases", before, erased, cases)
    return PurgeReport(before, len(ids), erased, cases)


__all__ = ["PurgeReport", "RetentionSettings", "purge"]
