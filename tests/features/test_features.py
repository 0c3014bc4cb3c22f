"""The one encoder: rows and frames alike, flags for unseen and out-of-range values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finduo.datasets import german
from finduo.datasets.registry import dataset_from_csv
from finduo.features import FeatureSet
from finduo.models import train_models

EXCLUDE = [german.TARGET, german.ID_COLUMN, *german.PROTECTED]


@pytest.fixture(scope="module")
def spec(german_frame: pd.DataFrame) -> FeatureSet:
    return FeatureSet.fit(german_frame, exclude=EXCLUDE)


def test_feature_set_leaves_out_target_id_and_protected(spec: FeatureSet) -> None:
    assert len(spec) == 18
    for name in EXCLUDE:
        assert name not in spec.names
    assert spec["age_years"].kind == "numeric"
    assert (spec["age_years"].min, spec["age_years"].max) == (19.0, 75.0)
    assert spec["checking_account"].categories == [
        "no checking account",
        "< 0 DM",
        "0 to < 200 DM",
        ">= 200 DM or salary",
    ]


def test_encode_row_equals_encode_frame_on_every_row(
    spec: FeatureSet, german_frame: pd.DataFrame
) -> None:
    frame = spec.encode_frame(german_frame)
    rows = np.vstack(
        [spec.encode_row(record) for record in german_frame.to_dict("records")]
    )

    assert frame.dtype == np.float64
    assert frame.shape == (1000, 18)
    np.testing.assert_array_equal(rows, frame)


def test_encode_row_accepts_text_numbers_and_marks_unseen_as_nan(
    spec: FeatureSet, german_frame: pd.DataFrame
) -> None:
    record = german_frame.iloc[0].to_dict()
    record |= {"age_years": "67", "purpose": "spaceship"}

    row = spec.encode_row(record)

    assert row.shape == (1, 18)
    assert row[0, spec.names.index("age_years")] == 67.0
    assert math.isnan(row[0, spec.names.index("purpose")])


def test_flags_name_unseen_values_and_numbers_outside_training_range(
    spec: FeatureSet, german_frame: pd.DataFrame
) -> None:
    record = german_frame.iloc[0].to_dict()
    record |= {"purpose": "X", "age_years": 80, "duration_months": 2}

    flags = spec.flags(record)

    assert flags == [
        "duration_months 2 below training range 4..72",
        "unseen value 'X' for purpose",
        "age_years 80 above training range 19..75",
    ]


def test_flags_empty_for_a_training_row(
    spec: FeatureSet, german_frame: pd.DataFrame
) -> None:
    assert spec.flags(german_frame.iloc[5].to_dict()) == []


def test_flags_missing_value(spec: FeatureSet, german_frame: pd.DataFrame) -> None:
    record = german_frame.iloc[0].to_dict()
    del record["savings"]

    assert spec.flags(record) == ["missing value for savings"]


def test_feature_set_round_trips_through_json(spec: FeatureSet) -> None:
    restored = FeatureSet.from_dict(json.loads(json.dumps(spec.to_dict())))

    assert restored == spec
    assert restored.names == spec.names


def test_id_column_of_a_csv_is_never_a_feature(
    german_frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame = german_frame.drop(columns=[german.ID_COLUMN]).head(300).copy()
    frame.insert(0, "Kunden-Nr", [f"K{i:05d}" for i in range(len(frame))])
    path = tmp_path / "kunden.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")
    info = dataset_from_csv(path, "bad")

    models = train_models(
        info.load(), "bad", info.name, id_columns=[info.id_column], kinds=["scorecard"]
    )

    assert info.id_column == "Kunden-Nr"
    assert "Kunden-Nr" not in models["scorecard"].spec.names
    assert models["scorecard"].meta["id_columns"] == ["Kunden-Nr"]
