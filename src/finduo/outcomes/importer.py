"""Importing outcomes: a CSV file or API records, joined to stored decisions.

Each row names a decision (``decision_id``; or ``application_id``, which is
joined to that application's latest acted-on decision made by the outcome's
day), what happened
(``kind``: paid, defaulted, fraud, churned), when (``observed_at``) and,
optionally, ``days_past_due``. Nothing is dropped: every row ends up
**inserted**, **invalid** (with row, field and reason: unreadable, or
implausible as :mod:`finduo.outcomes.plausibility` defines it — dated before
its decision or in the future, or ``defaulted`` with fewer days past due than
the bad definition), **unmatched** (no such decision) or **duplicate** (same
decision, kind and date already stored or earlier in the file), and the
report lists all four.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from finduo.errors import DataError, RowError
from finduo.outcomes.plausibility import check_outcomes
from finduo.store import NewOutcome
from finduo.store.records import OUTCOME_KINDS

logger = logging.getLogger(__name__)

REQUIRED = ("kind", "observed_at")
ID_COLUMNS = ("decision_id", "application_id")


@dataclass
class ImportReport:
    """What happened to every row of an import."""

    rows: int = 0
    inserted: int = 0
    invalid: list[RowError] = field(default_factory=list)
    unmatched: list[NewOutcome] = field(default_factory=list)
    duplicates: list[NewOutcome] = field(default_factory=list)

    @property
    def accounted(self) -> int:
        return (
            self.inserted
            + len(self.invalid)
            + len(self.unmatched)
            + len(self.duplicates)
        )

    def as_dict(self) -> dict[str, Any]:
        def item(o: NewOutcome) -> dict[str, Any]:
            return {
                "source_row": o.source_row,
                "decision_id": o.decision_id,
                "kind": o.kind,
                "observed_at": o.observed_at.isoformat(),
                "days_past_due": o.days_past_due,
            }

        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "invalid": [
                {
                    "row": e.row,
                    "field": e.field,
                    "reason": e.reason,
                    "value": None if e.value is None else str(e.value),
                }
                for e in self.invalid
            ],
            "unmatched": [item(o) for o in self.unmatched],
            "duplicates": [item(o) for o in self.duplicates],
        }


def _parse_time(value: Any) -> datetime:
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise ValueError("empty")
    if ts.tzinfo is None:
        ts = ts.tz_localize(UTC)
    return ts.to_pydatetime().astimezone(UTC)


def _is_blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    )


def parse_row(
    record: Mapping[str, Any], row: int, source: str
) -> tuple[str, str, NewOutcome]:
    """One outcome row -> (id column used, id value, NewOutcome with that id).

    Raises
    ------
    RowError
        Naming the row, the field and the reason.
    """
    id_col = next((c for c in ID_COLUMNS if not _is_blank(record.get(c))), None)
    if id_col is None:
        raise RowError(row, "decision_id", "a decision_id or application_id is needed")
    ref = str(record[id_col]).strip()
    kind = str(record.get("kind", "")).strip().lower()
    if kind not in OUTCOME_KINDS:
        raise RowError(
            row,
            "kind",
            f"must be one of {', '.join(OUTCOME_KINDS)}",
            record.get("kind"),
        )
    try:
        observed = _parse_time(record.get("observed_at"))
    except (ValueError, TypeError):
        raise RowError(
            row, "observed_at", "must be a date (YYYY-MM-DD)", record.get("observed_at")
        ) from None
    dpd_raw = record.get("days_past_due")
    dpd: int | None = None
    if not _is_blank(dpd_raw):
        try:
            value = float(str(dpd_raw))
        except (TypeError, ValueError):
            raise RowError(
                row, "days_past_due", "must be a whole number", dpd_raw
            ) from None
        if value != int(value) or value < 0:
            raise RowError(row, "days_past_due", "must be a whole number >= 0", dpd_raw)
        dpd = int(value)
    outcome = NewOutcome(
        decision_id=ref,
        kind=kind,  # type: ignore[arg-type]
        observed_at=observed,
        days_past_due=dpd,
        source_row=f"{source}:{row}",
    )
    return id_col, ref, outcome


def _latest_decision(store: Any, application_id: str, observed: datetime) -> str | None:
    """The application's latest acted-on decision made by the outcome's day.

    When every decision is later than the outcome, the earliest one is
    returned, so that the plausibility check names the conflict.
    """
    acted = sorted(
        (
            d
            for d in store.decisions_for_application(application_id)
            if d.variant != "shadow"
        ),
        key=lambda d: d.created_at,
    )
    if not acted:
        return None
    day = observed.astimezone(UTC).date()
    before = [d for d in acted if d.created_at.astimezone(UTC).date() <= day]
    return str((before[-1] if before else acted[0]).decision_id)


def import_records(
    store: Any,
    records: Sequence[Mapping[str, Any]],
    actor: str,
    source: str = "api",
) -> ImportReport:
    """Validate, join and record outcome rows; account for every row.

    ``records`` count from row 1. This is the function behind ``finduo
    outcomes import`` and ``POST /v1/outcomes``.
    """
    report = ImportReport(rows=len(records))
    parsed: list[tuple[int, NewOutcome]] = []
    for i, record in enumerate(records, start=1):
        try:
            id_col, ref, outcome = parse_row(record, i, source)
        except RowError as exc:
            report.invalid.append(exc)
            continue
        if id_col == "application_id":
            decision_id = _latest_decision(store, ref, outcome.observed_at)
            if decision_id is None:
                report.unmatched.append(outcome)
                continue
            outcome = NewOutcome(
                decision_id=decision_id,
                kind=outcome.kind,
                observed_at=outcome.observed_at,
                days_past_due=outcome.days_past_due,
                source_row=outcome.source_row,
            )
        parsed.append((i, outcome))
    refused = check_outcomes(store, parsed) if parsed else {}
    # One entry per row (its first problem), so that every row counts once,
    # with the value as it was typed.
    for i, problems in refused.items():
        first = problems[0]
        typed = records[i - 1].get(first.field, first.value)
        report.invalid.append(RowError(i, first.field, first.reason, typed))
    report.invalid.sort(key=lambda e: e.row)
    valid = [outcome for i, outcome in parsed if i not in refused]
    if valid:
        stored = store.record_outcomes(valid, actor)
        report.inserted = stored.inserted
        report.unmatched.extend(stored.unmatched)
        report.duplicates.extend(stored.duplicates)
    if report.accounted != report.rows:
        raise DataError(
            f"outcome import accounted for {report.accounted} of {report.rows} rows"
        )
    logger.info(
        "outcomes from %s: %d rows, %d inserted, %d invalid, %d unmatched, "
        "%d duplicates",
        source,
        report.rows,
        report.inserted,
        len(report.invalid),
        len(report.unmatched),
        len(report.duplicates),
    )
    return report


def import_csv(store: Any, path: Path | str, actor: str) -> ImportReport:
    """``finduo outcomes import FILE.csv``: read (``;``/``,`` detected) and import."""
    from finduo.datasets.csvio import read_table

    frame = read_table(path)
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing or not any(c in frame.columns for c in ID_COLUMNS):
        need = [*missing] + (
            []
            if any(c in frame.columns for c in ID_COLUMNS)
            else ["decision_id or application_id"]
        )
        raise DataError(
            f"{path}: outcome file lacks the columns {need}; it has "
            f"{list(frame.columns)}.",
            path=str(path),
        )
    records = [
        {str(k): v for k, v in r.items()}
        for r in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]
    return import_records(store, records, actor, source=Path(path).name)


__all__ = ["ImportReport", "import_csv", "import_records", "parse_row"]
