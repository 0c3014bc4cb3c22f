"""``finduo evaluate --json`` and ``finduo train`` on any CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from finduo.cli import _register_all, app
from finduo.models import list_models
from finduo.settings import get_settings


@pytest.fixture
def csv_file(german_frame: pd.DataFrame, tmp_path: Path) -> Path:
    """300 German credit rows as a German CSV with a customer number."""
    frame = german_frame.head(300).rename(columns={"application_id": "Kunden-Nr"})
    frame["bad"] = frame["bad"].map({1: "ja", 0: "nein"})
    path = tmp_path / "kunden.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")
    return path


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    _register_all()
    yield tmp_path / "state"
    get_settings.cache_clear()


def test_evaluate_json_prints_only_the_result_on_stdout(
    csv_file: Path, state: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("evaluate", "--data", str(csv_file), "--target", "bad", "--folds", "3"),
            *("--protected", "foreign_worker", "--jobs", "1", "--json"),
        ],
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dataset"] == "kunden"
    assert (report["folds"], report["repeats"], report["seed"]) == (3, 1, 0)
    assert set(report["models"]) == {"lightgbm", "scorecard", "baseline"}
    assert report["models"]["scorecard"]["auc"] > 0.6


def test_train_saves_both_models_with_cv_metrics(csv_file: Path, state: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("train", "--data", str(csv_file), "--target", "bad", "--folds", "2"),
            *("--protected", "personal_status_sex", "--jobs", "1"),
        ],
    )

    assert result.exit_code == 0, result.output
    saved = list_models(dataset="kunden", base=state / "models")
    assert sorted(m["kind"] for m in saved) == ["lightgbm", "scorecard"]
    for meta in saved:
        assert meta["metrics_source"] == "cross-validation"
        assert meta["metrics"]["folds"] == 2
        names = [f["name"] for f in meta["features"]]
        assert "Kunden-Nr" not in names
        assert "personal_status_sex" not in names
        assert meta["version"] in result.stdout


def test_data_without_target_is_a_clear_error(csv_file: Path, state: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", "--data", str(csv_file)])

    assert result.exit_code != 0
    assert "--target" in str(result.exception) + result.output
