"""Validating a batch of applications: rejects, duplicates, counts.

Nothing is silently dropped: every row read is either valid (and decided) or
rejected with its row number, field, reason and value; a duplicate
application id keeps its first row and rejects the others, naming the row
kept; columns the schema does not know are reported as ignored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from finduo.decisions.validation import ID_FIELD, ApplicationSchema, field_errors
from finduo.errors import DataError

REJECT_COLUMNS = ("row", "application_id", "field", "reason", "value")


@dataclass(frozen=True)
class Reject:
    """One reason a row was rejected; ``row`` counts data rows from 1."""

    row: int
    application_id: str | None
    field: str
    reason: str
    value: Any


@dataclass
class ValidatedBatch:
    """The valid applications of a batch, in input order, and the rejects."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int = 0
    invalid_rows: int = 0
    duplicate_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return self.invalid_rows + self.duplicate_rows


def validate_frame(frame: pd.DataFrame, schema: ApplicationSchema) -> ValidatedBatch:
    """Validate every row of ``frame`` against ``schema``.

    Raises
    ------
    DataError
        When required columns are missing altogether (no row could be valid).
    """
    missing = [name for name in schema.required if name not in frame.columns]
    if missing:
        found = [str(c) for c in frame.columns]
        raise DataError(
            f"the applications lack required column(s) {missing}; found "
            f"{found[:12]}{' ...' if len(found) > 12 else ''} "
            "(`finduo fields` lists the columns an application needs)",
            missing=missing,
        )
    known = [c for c in frame.columns if c in schema.fields]
    batch = ValidatedBatch(
        rows_read=len(frame),
        ignored_columns=[str(c) for c in frame.columns if c not in schema.fields],
    )
    first_row: dict[str, int] = {}
    for number, row in enumerate(frame[known].to_dict(orient="records"), start=1):
        values = schema.csv_values({str(k): v for k, v in row.items()})
        raw_id = values.get(ID_FIELD)
        app_id = raw_id if isinstance(raw_id, str) else None
        if app_id is not None and app_id in first_row:
            batch.duplicate_rows += 1
            batch.rejects.append(
                Reject(
                    number,
                    app_id,
                    ID_FIELD,
                    f"duplicate application id; first seen in row {first_row[app_id]}",
                    app_id,
                )
            )
            continue
        if app_id is not None:
            first_row[app_id] = number
        try:
            model = schema.model.model_validate(values)
        except ValidationError as exc:
            batch.invalid_rows += 1
            batch.rejects.extend(
                Reject(number, app_id, e.field, e.reason, e.value)
                for e in field_errors(exc)
            )
            continue
        batch.records.append(model.model_dump())
        batch.rows.append(number)
    return batch


def rejects_path_for(out: Path) -> Path:
    """Where the rejects of a batch written to ``out`` go: ``<stem>.rejects.csv``."""
    return out.with_name(f"{out.stem}.rejects.csv")


def write_rejects(path: Path, rejects: Sequence[Reject]) -> Path:
    """Write ``rejects`` as CSV (row, application_id, field, reason, value)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for r in rejects:
            value = "" if r.value is None else _text(r.value)
            writer.writerow([r.row, r.application_id or "", r.field, r.reason, value])
    return path


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


__all__ = [
    "REJECT_COLUMNS",
    "Reject",
    "ValidatedBatch",
    "rejects_path_for",
    "validate_frame",
    "write_rejects",
]
