"""Numbers in an applications CSV are read strictly, cell by cell, or rejected.

The cases are those a new user met: amounts with thousands separators read as
a few DM, decimal points multiplied by a hundred, ``--decimal`` ignored.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets.csvio import (
    NumberFormatError,
    parse_number,
    read_text_table,
)
from finduo.datasets.german import CATEGORICAL, NUMERIC, PROTECTED, TARGET, load_german
from finduo.decisions.batch import rejects_path_for, validate_frame, write_rejects
from finduo.decisions.validation import ApplicationSchema
from finduo.errors import DataError


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("500,000", ".", 500_000),
        ("12,000", ".", 12_000),
        ("1500.00", ".", 1500.0),
        ("1,250.50", ".", 1250.5),
        ("1,250.50", None, 1250.5),
        ("2,500", ".", 2500),
        ("12.000,75", ",", 12000.75),
        ("2500,50", ",", 2500.5),
        ("45", ",", 45),
        ("-3", None, -3),
    ],
)
def test_valid_numbers(text: str, decimal: str | None, expected: float) -> None:
    value = parse_number(text, decimal)

    assert value == expected
    assert isinstance(value, int) == isinstance(expected, int)


@pytest.mark.parametrize(
    ("text", "decimal", "words"),
    [
        ("99.50", ",", "groups of 3"),
        ("16000.00", ",", "groups of 3"),
        ("2.5", ",", "groups of 3"),
        ("45.5", ",", "groups of 3"),
        ("1,2,3", ".", "groups of 3"),
        ("12,00", ".", "groups of 3"),
        ("1.250,50", ".", "decimal mark '.'"),
        ("2,500", None, "ambiguous"),
        ("12.000", None, "ambiguous"),
        ("nan", ".", "not a number"),
        ("zweitausend", None, "^not a number$"),
        ("zweitausend", ",", "^not a number$"),
    ],
)
def test_invalid_or_ambiguous_numbers(
    text: str, decimal: str | None, words: str
) -> None:
    with pytest.raises(NumberFormatError, match=words):
        parse_number(text, decimal)


@pytest.fixture(scope="module")
def german() -> pd.DataFrame:
    return load_german()


@pytest.fixture(scope="module")
def schema() -> ApplicationSchema:
    features = [Spec(n, "numeric") for n in NUMERIC] + [
        Spec(n, "categorical") for n in CATEGORICAL if n not in PROTECTED
    ]
    return ApplicationSchema(features, protected=PROTECTED)


def _write(german: pd.DataFrame, path: Path, sep: str, cells: dict[str, str]) -> None:
    """Five real rows as text; ``cells`` = {"row:field": raw text}; blank lines."""
    frame = german.drop(columns=[TARGET]).head(5).astype(object).astype(str)
    for key, text in cells.items():
        row, field = key.split(":")
        frame.loc[int(row), field] = text
    lines = [sep.join(frame.columns)]
    for _, row in frame.iterrows():
        lines.append(sep.join(f'"{v}"' for v in row))
        lines.append("")  # a blank line after each row: rows and lines differ
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _rejects(tmp_path: Path, batch_rejects: list) -> list[dict[str, str]]:
    path = write_rejects(rejects_path_for(tmp_path / "d.csv"), batch_rejects)
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_comma_file_with_decimal_point_flag_reads_thousands(
    german: pd.DataFrame, schema: ApplicationSchema, tmp_path: Path
) -> None:
    path = tmp_path / "comma4.csv"
    _write(
        german,
        path,
        ",",
        {"0:credit_amount": "500,000", "1:credit_amount": "12,000"},
    )

    table = read_text_table(path, sep=",", decimal=".")
    batch = validate_frame(
        table.frame, schema, lines=table.lines, decimal=table.decimal
    )

    assert batch.rejects == []
    assert [r["credit_amount"] for r in batch.records[:2]] == [500_000, 12_000]


def test_comma_file_without_flags_detects_the_point_from_unambiguous_cells(
    german: pd.DataFrame, schema: ApplicationSchema, tmp_path: Path
) -> None:
    path = tmp_path / "comma.csv"
    _write(
        german,
        path,
        ",",
        {"0:credit_amount": "2,500", "1:credit_amount": "1,250.50"},
    )

    table = read_text_table(path)
    batch = validate_frame(
        table.frame, schema, lines=table.lines, decimal=table.decimal
    )

    assert (table.sep, table.decimal, table.decimal_source) == (",", ".", "detected")
    assert [r["credit_amount"] for r in batch.records[:2]] == [2500, 1250.5]


def test_semicolon_decimal_comma_file_rejects_misfit_numbers_with_raw_text(
    german: pd.DataFrame, schema: ApplicationSchema, tmp_path: Path
) -> None:
    path = tmp_path / "semi.csv"
    _write(
        german,
        path,
        ";",
        {
            "0:credit_amount": "99.50",
            "1:credit_amount": "16000.00",
            "2:credit_amount": "2.5",
            "3:age_years": "45,5",
            "4:age_years": "nan",
        },
    )

    table = read_text_table(path, decimal=",")
    batch = validate_frame(
        table.frame, schema, lines=table.lines, decimal=table.decimal
    )
    rejects = _rejects(tmp_path, batch.rejects)

    assert batch.records == []
    assert [(r["row"], r["line"], r["field"], r["value"]) for r in rejects] == [
        ("1", "2", "credit_amount", "99.50"),
        ("2", "4", "credit_amount", "16000.00"),
        ("3", "6", "credit_amount", "2.5"),
        ("4", "8", "age_years", "45,5"),
        ("5", "10", "age_years", "nan"),
    ]
    assert "groups of 3" in rejects[0]["reason"]
    assert rejects[3]["reason"] == "must be a whole number"


def test_flags_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")

    with pytest.raises(DataError, match="decimal mark 'x' is not supported"):
        read_text_table(path, decimal="x")
    with pytest.raises(DataError, match="cannot both be"):
        read_text_table(path, sep=",", decimal=",")


def test_readable_id_error(german: pd.DataFrame, schema: ApplicationSchema) -> None:
    frame = german.drop(columns=[TARGET]).head(1).astype(object)
    frame.loc[0, "application_id"] = "Ä-008"

    batch = validate_frame(frame, schema)

    assert batch.rejects[0].field == "application_id"
    assert "plain letter or digit" in batch.rejects[0].reason
    assert "^[" not in batch.rejects[0].reason


def test_ids_decided_before_are_rejected(
    german: pd.DataFrame, schema: ApplicationSchema
) -> None:
    frame = german.drop(columns=[TARGET]).head(3)
    first = str(frame["application_id"].iloc[1])

    batch = validate_frame(frame, schema, seen={first: "already decided"})

    assert len(batch.records) == 2
    assert batch.decided_before == 1
    assert [(r.row, r.reason) for r in batch.rejects] == [(2, "already decided")]
