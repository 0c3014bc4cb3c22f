"""Validating a batch of applications: rejects, duplicates, counts.

Nothing is silently dropped: every row read is either valid (and decided) or
rejected with its row number, field, reason and value; a duplicate
application id keeps its first row and rejects the others, naming the row
kept; columns the schema does not know are reported as ignored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from finduo.decisions.validation import ID_FIELD, ApplicationSchema, field_errors
from finduo.errors import DataError

REJECT_COLUMNS = ("row", "line", "application_id", "field", "reason", "value")


@dataclass(frozen=True)
class Reject:
    """One reason a row was rejected.

    ``row`` counts data rows from 1; ``line`` is the file line the row starts
    on (header = line 1), when read from a file; ``value`` is the cell as
    typed where the row came from text.
    """

    row: int
    application_id: str | None
    field: str
    reason: str
    value: Any
    line: int | None = None


@dataclass
class ValidatedBatch:
    """The valid applications of a batch, in input order, and the rejects."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int = 0
    invalid_rows: int = 0
    duplicate_rows: int = 0
    decided_before: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return self.invalid_rows + self.duplicate_rows + self.decided_before


def validate_frame(
    frame: pd.DataFrame,
    schema: ApplicationSchema,
    *,
    lines: Sequence[int] | None = None,
    decimal: str | None = None,
    seen: Mapping[str, str] | None = None,
) -> ValidatedBatch:
    """Validate every row of ``frame`` against ``schema``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The applications; text cells (as :func:`read_text_table` gives them)
        are parsed strictly under ``decimal``.
    schema : ApplicationSchema
        What an application must hold.
    lines : sequence of int, optional
        File line of each row, reported beside the row number.
    decimal : str, optional
        Decimal mark of number texts; None = unknown (ambiguous texts refused).
    seen : mapping of str to str, optional
        Application ids decided before (e.g. in the store), each with the
        reason to reject it again.

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
    seen = seen or {}
    for number, row in enumerate(frame[known].to_dict(orient="records"), start=1):
        line = lines[number - 1] if lines is not None else None
        raw = {str(k): v for k, v in row.items()}
        values, unreadable = schema.csv_row(raw, decimal)
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
                    line,
                )
            )
            continue
        if app_id is not None:
            first_row[app_id] = number
        if app_id is not None and app_id in seen:
            batch.decided_before += 1
            batch.rejects.append(
                Reject(number, app_id, ID_FIELD, seen[app_id], app_id, line)
            )
            continue
        try:
            model = schema.model.model_validate(values)
        except ValidationError as exc:
            errors = {e.field: e for e in field_errors(exc)}
            errors.update({e.field: e for e in unreadable})
            batch.invalid_rows += 1
            batch.rejects.extend(
                Reject(
                    number,
                    app_id,
                    e.field,
                    e.reason,
                    raw[e.field] if isinstance(raw.get(e.field), str) else e.value,
                    line,
                )
                for e in errors.values()
            )
            continue
        batch.records.append(model.model_dump())
        batch.rows.append(number)
    return batch


def rejects_path_for(out: Path) -> Path:
    """Where the rejects of a batch written to ``out`` go: ``<stem>.rejects.csv``."""
    return out.with_name(f"{out.stem}.rejects.csv")


def write_rejects(path: Path, rejects: Sequence[Reject]) -> Path:
    """Write ``rejects`` as CSV (row, line, application_id, field, reason, value)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for r in rejects:
            value = "" if r.value is None else _text(r.value)
            line = "" if r.line is None else r.line
            writer.writerow(
                [r.row, line, r.application_id or "", r.field, r.reason, value]
            )
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
