"""Any CSV: German conventions detected, id columns found, targets mapped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets.csvio import detect_id_columns, read_table, write_table
from finduo.datasets.registry import binary_target, dataset_from_csv
from finduo.errors import DataError

GERMAN_CSV = (
    "Kunden-Nr;Betrag;Zweck;Laufzeit;Ausfall\n"
    "K-001;1.234,50;Möbel;12;nein\n"
    "K-002;980,00;Gebrauchtwagen;24;ja\n"
    "K-003;12.000,75;Geschäft;48;nein\n"
)


def test_german_csv_latin1_semicolon_decimal_comma_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "antraege.csv"
    path.write_bytes(GERMAN_CSV.encode("cp1252"))

    frame = read_table(path)

    assert list(frame.columns) == [
        "Kunden-Nr",
        "Betrag",
        "Zweck",
        "Laufzeit",
        "Ausfall",
    ]
    assert frame["Betrag"].tolist() == [1234.5, 980.0, 12000.75]
    assert frame["Zweck"].tolist() == ["Möbel", "Gebrauchtwagen", "Geschäft"]
    assert frame["Laufzeit"].dtype.kind == "i"


def test_flags_override_detection(tmp_path: Path) -> None:
    path = tmp_path / "antraege.csv"
    path.write_bytes(GERMAN_CSV.encode("latin-1"))

    frame = read_table(path, sep=";", decimal=",", encoding="latin-1")

    assert frame["Betrag"].iloc[2] == 12000.75
    assert frame["Zweck"].iloc[0] == "Möbel"


def test_utf8_comma_csv_with_decimal_point(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("id,amount,city\n1,10.5,Köln\n2,3.25,Zürich\n", encoding="utf-8")

    frame = read_table(path)

    assert frame["amount"].tolist() == [10.5, 3.25]
    assert frame["city"].tolist() == ["Köln", "Zürich"]


def test_write_table_german_round_trips(tmp_path: Path) -> None:
    frame = pd.DataFrame({"nr": ["a", "b"], "betrag": [1.5, 2000.25]})

    path = write_table(frame, tmp_path / "out.csv", german=True)

    assert path.read_text(encoding="utf-8").splitlines()[1] == "a;1,5"
    assert read_table(path)["betrag"].tolist() == [1.5, 2000.25]


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({"customer_id": ["a", "b", "c"], "paid": [1, 0, 1]}, ["customer_id"]),
        ({"CustomerID": [7, 8, 9], "valid": ["x", "y", "z"]}, ["CustomerID"]),
        ({"Kunden-Nr": ["1", "2", "3"], "amount": [1.0, 2.0, 3.0]}, ["Kunden-Nr"]),
        ({"id": ["a", "a", "b"]}, []),  # repeats: not an id
        ({"score_id": [0.1, 0.2, 0.3]}, []),  # floats: not an id
        ({"name": ["a", "b", "c"]}, []),  # unique but not named like an id
    ],
)
def test_detect_id_columns(
    columns: dict[str, list[object]], expected: list[str]
) -> None:
    assert detect_id_columns(pd.DataFrame(columns)) == expected


def test_missing_and_empty_files_are_data_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("  \n")
    with pytest.raises(DataError, match="is empty"):
        read_table(tmp_path / "empty.csv")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["ja", "nein", "ja"], [1, 0, 1]),
        (["good", "bad", "good"], [0, 1, 0]),
        ([1, 2, 2], [0, 1, 1]),
        ([0, 1, 0], [0, 1, 0]),
        (["True", "False", "False"], [1, 0, 0]),
    ],
)
def test_binary_target_maps_to_one_for_bad(
    values: list[object], expected: list[int]
) -> None:
    assert binary_target(pd.Series(values), "y").tolist() == expected


def test_target_with_three_values_is_rejected_with_the_values() -> None:
    with pytest.raises(DataError, match=r"exactly two values; got 3"):
        binary_target(pd.Series(["a", "b", "c"]), "outcome")


def test_target_empty_in_a_row_names_the_row() -> None:
    with pytest.raises(DataError, match="row 2"):
        binary_target(pd.Series([1, None, 0]), "outcome")


def test_dataset_from_csv_finds_id_and_maps_target(tmp_path: Path) -> None:
    path = tmp_path / "antraege.csv"
    path.write_bytes(GERMAN_CSV.encode("cp1252"))

    info = dataset_from_csv(path, "Ausfall")

    assert info.name == "antraege"
    assert info.id_column == "Kunden-Nr"
    assert info.load()["Ausfall"].tolist() == [0, 1, 0]
    assert (info.folds, info.repeats, info.cost_bad_accepted) == (5, 1, 1.0)
    assert "Kunden-Nr" in info.excluded


def test_dataset_from_csv_unknown_target_lists_columns(tmp_path: Path) -> None:
    path = tmp_path / "antraege.csv"
    path.write_bytes(GERMAN_CSV.encode("cp1252"))

    with pytest.raises(DataError, match=r"'default' is not in antraege\.csv"):
        dataset_from_csv(path, "default")


def test_blank_cells_in_a_number_column_become_missing_numbers(tmp_path: Path) -> None:
    path = tmp_path / "charges.csv"
    path.write_text("id;total;plan\na;1,5;x\nb; ;y\nc;2.000,25;z\n", encoding="utf-8")

    frame = read_table(path)

    assert frame["total"].dtype == "float64"
    assert frame["total"].iloc[0] == 1.5
    assert pd.isna(frame["total"].iloc[1])
    assert frame["total"].iloc[2] == 2000.25
    assert frame["plan"].tolist() == ["x", "y", "z"]


def test_read_table_refuses_a_misgrouped_number_in_a_decimal_comma_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "train.csv"
    rows = ["amount;bad"] + [f"{1000 + i},50;{i % 2}" for i in range(20)]
    path.write_text("\n".join([*rows, "99.50;0"]) + "\n", encoding="utf-8")

    with pytest.raises(DataError, match=r"column 'amount'.*line 22: '99\.50'"):
        read_table(path, decimal=",")


def test_read_table_reads_grouped_numbers_strictly_and_keeps_text(
    tmp_path: Path,
) -> None:
    path = tmp_path / "train.csv"
    path.write_text(
        "amount;purpose;bad\n12.000,50;car;1\n2.500;none;0\n;NA;0\n", encoding="utf-8"
    )

    frame = read_table(path)

    assert frame["amount"].iloc[:2].tolist() == [12000.5, 2500.0]
    assert pd.isna(frame["amount"].iloc[2])
    assert frame["purpose"].tolist()[:2] == ["car", "none"]
    assert frame["bad"].tolist() == [1, 0, 0]
