"""LightGBM and scorecard: scores, contributions, artifacts and the registry."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finduo.datasets import german
from finduo.errors import ModelError, NotFoundError
from finduo.models import (
    RiskModel,
    ScorecardModel,
    latest_model,
    list_models,
    load_model,
    save_model,
    train_models,
)

VERSION = re.compile(r"^(lightgbm|scorecard)-german-credit-\d{8}T\d{6}-[0-9a-f]{8}$")


@pytest.fixture(scope="module")
def X(trained: dict[str, RiskModel], german_frame: pd.DataFrame) -> np.ndarray:
    return trained["lightgbm"].spec.encode_frame(german_frame)


def test_both_models_are_trained_without_protected_characteristics(
    trained: dict[str, RiskModel],
) -> None:
    for kind, model in trained.items():
        assert model.kind == kind
        assert VERSION.match(model.version)
        assert set(german.PROTECTED).isdisjoint(model.spec.names)
        assert model.meta["protected_excluded"] == list(german.PROTECTED)
        assert len(model.meta["training_data"]["sha256"]) == 64


def test_pd_is_a_probability_and_ranks_the_training_bads_higher(
    trained: dict[str, RiskModel], X: np.ndarray, german_frame: pd.DataFrame
) -> None:
    y = german_frame["bad"].to_numpy()
    for model in trained.values():
        pd_ = model.predict_pd(X)
        assert pd_.shape == (1000,)
        assert ((pd_ > 0) & (pd_ < 1)).all()
        # calibrated: the mean pd is near the bad rate (0.30)
        assert abs(pd_.mean() - 0.30) < 0.03
        assert pd_[y == 1].mean() > pd_[y == 0].mean() + 0.1


def test_save_and_load_give_identical_scores_and_contributions(
    trained: dict[str, RiskModel], X: np.ndarray, tmp_path: Path
) -> None:
    for model in trained.values():
        folder = save_model(model, tmp_path)
        loaded = load_model(folder)

        assert folder.name == model.version
        assert loaded.version == model.version
        assert loaded.spec == model.spec
        np.testing.assert_array_equal(loaded.predict_pd(X), model.predict_pd(X))
        np.testing.assert_array_equal(
            loaded.contributions(X[:50]), model.contributions(X[:50])
        )
        meta = json.loads((folder / "meta.json").read_text())
        assert meta["seed"] == 0
        assert meta["features"][0]["name"] == "checking_account"
        assert not list(folder.glob("*.pkl"))


def test_scorecard_is_scored_from_its_json_exactly_as_optbinning_scores(
    trained: dict[str, RiskModel], X: np.ndarray
) -> None:
    model = trained["scorecard"]
    assert isinstance(model, ScorecardModel)
    assert model._optbinning is not None
    frame = model.optbinning_frame(X)

    np.testing.assert_allclose(
        model.predict_pd(X), model._optbinning.predict_proba(frame)[:, 1], atol=1e-12
    )
    np.testing.assert_allclose(
        model.score_points(X), model._optbinning.score(frame), atol=1e-9
    )


def test_scorecard_points_follow_base_points_odds_and_pdo(
    trained: dict[str, RiskModel], X: np.ndarray
) -> None:
    model = trained["scorecard"]
    assert isinstance(model, ScorecardModel)

    # 600 points at good:bad odds 50:1, 20 points more double the odds
    assert model.pd_from_points(np.array([600.0]))[0] == pytest.approx(1 / 51)
    assert model.pd_from_points(np.array([620.0]))[0] == pytest.approx(1 / 101)
    np.testing.assert_allclose(
        model.pd_from_points(model.score_points(X)), model.predict_pd(X), atol=1e-12
    )


def test_scorecard_contributions_are_points_lost_against_best_attribute(
    trained: dict[str, RiskModel], X: np.ndarray
) -> None:
    model = trained["scorecard"]
    assert isinstance(model, ScorecardModel)
    contributions = model.contributions(X)
    table = {c["name"]: c for c in model.table["characteristics"]}

    assert (contributions >= -1e-12).all()
    # points lost against the best attribute, where the attribute scores
    # below the population-weighted mean; favourable attributes give 0
    for name, entry in table.items():
        j = model.spec.names.index(name)
        points = np.array([b["points"] for b in entry["bins"]])
        counts = np.array([b["count"] for b in entry["bins"]], dtype=float)
        mean = np.average(points, weights=counts)
        only = np.full_like(X, np.nan)
        only[:, j] = X[:, j]
        missing = model.score_points(np.full_like(X[:1], np.nan))[0]
        row_points = model.score_points(only) - missing + entry["missing"]["points"]
        expected = np.where(row_points < mean - 1e-9, points.max() - row_points, 0.0)
        np.testing.assert_allclose(contributions[:, j], expected, atol=1e-9)
        assert (contributions[:, j] > 0).any(), name
    # applicants with no checking account lose points on that characteristic
    j = model.spec.names.index("checking_account")
    none_code = model.spec["checking_account"].categories.index("no checking account")
    assert (contributions[X[:, j] == none_code, j] > 10).all()


def test_lightgbm_contributions_sum_to_the_calibrated_log_odds(
    trained: dict[str, RiskModel], X: np.ndarray
) -> None:
    model = trained["lightgbm"]
    pd_ = model.predict_pd(X[:20])
    logit = np.log(pd_ / (1 - pd_))
    contributions = model.contributions(X[:20])

    # SHAP values add up to the raw score; Platt makes that a*raw + b
    base = logit - contributions.sum(axis=1)
    np.testing.assert_allclose(base, base[0], atol=1e-6)


def test_single_row_and_batch_scores_agree(
    trained: dict[str, RiskModel], X: np.ndarray
) -> None:
    model = trained["lightgbm"]
    one = np.concatenate([model.predict_pd(X[i : i + 1]) for i in range(30)])

    np.testing.assert_allclose(one, model.predict_pd(X[:30]), rtol=0, atol=1e-15)


def test_scorecard_scores_one_row_exactly_as_in_a_batch(
    trained: dict[str, RiskModel], X: np.ndarray
) -> None:
    # One row takes a plain-Python path (a request); a batch the numpy one.
    model = trained["scorecard"]
    rows = X[:60].copy()
    rows[0, :] = np.nan  # every input missing
    rows[1, 0] = 1e9  # far outside every split
    rows[2, :] = -1.0  # codes no category has
    for c, j in zip(model._chars, model._columns, strict=True):  # type: ignore[attr-defined]
        if len(c.splits):
            rows[3, j] = c.splits[0]  # exactly on a bin edge: [a, b)
    batch = (
        model.predict_pd(rows),
        model.score_points(rows),  # type: ignore[attr-defined]
        model.contributions(rows),
    )
    for i in range(len(rows)):
        one = rows[i : i + 1]
        # Twice: the second call finds the row's bins remembered.
        for _ in range(2):
            assert model.predict_pd(one)[0] == batch[0][i]
            assert model.score_points(one)[0] == batch[1][i]  # type: ignore[attr-defined]
            np.testing.assert_array_equal(model.contributions(one)[0], batch[2][i])


def test_training_twice_with_the_same_seed_gives_the_same_models(
    german_frame: pd.DataFrame, trained: dict[str, RiskModel]
) -> None:
    again = train_models(
        german_frame,
        "bad",
        "german-credit",
        protected=german.PROTECTED,
        seed=0,
        id_columns=[german.ID_COLUMN],
    )

    for kind, model in again.items():
        assert (
            model.version.rsplit("-", 1)[1] == trained[kind].version.rsplit("-", 1)[1]
        )


def test_wrong_width_matrix_is_a_model_error(trained: dict[str, RiskModel]) -> None:
    with pytest.raises(ModelError, match=r"shape \(n, 18\)"):
        trained["scorecard"].predict_pd(np.zeros((2, 5)))


def test_latest_model_finds_the_newest_of_a_kind(
    trained: dict[str, RiskModel], tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match="run `finduo train`"):
        latest_model("scorecard", "german-credit", tmp_path)
    for model in trained.values():
        save_model(model, tmp_path)

    found = latest_model("scorecard", "german-credit", tmp_path)

    assert found.version == trained["scorecard"].version
    assert [m["kind"] for m in list_models(base=tmp_path)].count("lightgbm") == 1
    with pytest.raises(ModelError, match="already exists"):
        save_model(trained["scorecard"], tmp_path)


def test_load_model_without_meta_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"meta\.json is missing"):
        load_model(tmp_path)


def test_target_that_is_not_binary_is_rejected(german_frame: pd.DataFrame) -> None:
    from finduo.errors import DataError

    frame = german_frame.assign(bad=german_frame["bad"] * 2)

    with pytest.raises(DataError, match="must be 0 \\(good\\) or 1 \\(bad\\)"):
        train_models(frame, "bad", "x", kinds=["scorecard"])


def test_unseen_category_scores_as_missing_bin_not_an_error(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    record = german_frame.iloc[0].to_dict() | {"purpose": "spaceship"}
    for model in trained.values():
        row = model.spec.encode_row(record)
        assert math.isfinite(float(model.predict_pd(row)[0]))


def test_id_column_is_left_out_even_when_not_named(german_frame: pd.DataFrame) -> None:
    models = train_models(german_frame.head(200), "bad", "x", kinds=["scorecard"])

    assert german.ID_COLUMN not in models["scorecard"].spec.names
    assert models["scorecard"].meta["id_columns"] == [german.ID_COLUMN]
