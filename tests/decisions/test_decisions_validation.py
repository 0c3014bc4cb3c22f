"""Validating applications and batches on the real German credit rows."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets.german import CATEGORICAL, NUMERIC, PROTECTED, load_german
from finduo.decisions.batch import rejects_path_for, validate_frame, write_rejects
from finduo.decisions.validation import ApplicationSchema, InvalidApplication


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str


@pytest.fixture(scope="module")
def german() -> pd.DataFrame:
    return load_german()


@pytest.fixture(scope="module")
def schema() -> ApplicationSchema:
    features = [Spec(n, "numeric") for n in NUMERIC] + [
        Spec(n, "categorical") for n in CATEGORICAL if n not in PROTECTED
    ]
    return ApplicationSchema(features, protected=PROTECTED)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a CSV reader without type inference would give it."""
    return frame.astype(object).astype(str)


def test_every_real_row_is_valid(
    german: pd.DataFrame, schema: ApplicationSchema
) -> None:
    batch = validate_frame(german, schema)

    assert batch.rows_read == 1000
    assert len(batch.records) == 1000
    assert batch.rejects == []
    assert batch.ignored_columns == ["bad"]
    assert batch.records[0]["application_id"] == "GC-0001"
    assert isinstance(batch.records[0]["duration_months"], int)


def test_single_application_names_every_bad_field(
    german: pd.DataFrame, schema: ApplicationSchema
) -> None:
    row = schema.csv_values(german.drop(columns="bad").iloc[0].to_dict())
    row.update(age_years=9, credit_amount=-5.0, duration_months="12", colour="red")
    del row["purpose"]

    with pytest.raises(InvalidApplication) as info:
        schema.validate(row)

    fields = {e.field: e for e in info.value.errors}
    assert set(fields) == {
        "age_years",
        "credit_amount",
        "duration_months",
        "purpose",
        "colour",
    }
    assert "greater than or equal to 14" in fields["age_years"].reason
    assert fields["duration_months"].value == "12"  # strict: no text for a number
    assert fields["colour"].reason == "unknown field"
    assert fields["purpose"].reason == "required field is missing"
    assert "application 'GC-0001' is invalid" in str(info.value)


def test_a_minor_is_valid_input_so_that_the_policy_can_decline(
    german: pd.DataFrame, schema: ApplicationSchema
) -> None:
    row = schema.csv_values(german.drop(columns="bad").iloc[0].to_dict())
    row["age_years"] = 16

    assert schema.validate(row)["age_years"] == 16


def test_batch_with_bad_rows_and_duplicates_writes_rejects_and_keeps_the_rest(
    german: pd.DataFrame, schema: ApplicationSchema, tmp_path: Path
) -> None:
    frame = _as_text(german.drop(columns="bad").head(10))
    frame.loc[2, "age_years"] = "9"  # row 3: implausible age
    frame.loc[4, "credit_amount"] = "abc"  # row 5: not a number
    frame.loc[5, "duration_months"] = "0"  # row 6: out of range
    frame.loc[7, "application_id"] = frame.loc[1, "application_id"]  # row 8 dup
    frame.loc[8, "application_id"] = frame.loc[1, "application_id"]  # row 9 dup

    batch = validate_frame(frame, schema)
    path = write_rejects(rejects_path_for(tmp_path / "decisions.csv"), batch.rejects)

    assert path.name == "decisions.rejects.csv"
    with path.open(encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["row"], r["field"], r["value"]) for r in rejects] == [
        ("3", "age_years", "9"),
        ("5", "credit_amount", "abc"),
        ("6", "duration_months", "0"),
        ("8", "application_id", "GC-0002"),
        ("9", "application_id", "GC-0002"),
    ]
    assert rejects[3]["reason"] == "duplicate application id; first seen in row 2"
    assert batch.rows == [1, 2, 4, 7, 10]
    assert (batch.invalid_rows, batch.duplicate_rows) == (3, 2)
    assert len(batch.records) + batch.rejected_rows == batch.rows_read == 10


def test_german_decimal_comma_and_gaps_in_integer_columns_are_read(
    german: pd.DataFrame, schema: ApplicationSchema
) -> None:
    frame = german.drop(columns="bad").head(3).astype(object)
    frame["credit_amount"] = ["1.169,50", "5951", "2096,0"]
    frame["age_years"] = [67.0, 22.0, None]

    batch = validate_frame(frame, schema)

    assert [r["credit_amount"] for r in batch.records] == [1169.5, 5951.0]
    assert batch.records[0]["age_years"] == 67
    assert [(r.row, r.field, r.reason) for r in batch.rejects] == [
        (3, "age_years", "value is missing (empty)")
    ]


def test_missing_required_column_fails_the_whole_file(
    german: pd.DataFrame, schema: ApplicationSchema
) -> None:
    frame = german.drop(columns=["bad", "purpose"]).head(3)

    with pytest.raises(Exception, match=r"lack required column\(s\) \['purpose'\]"):
        validate_frame(frame, schema)
