"""Cross-validation: the bar of a short run, exact output, and no fold leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import finduo.evaluation.cv as cv
from finduo.datasets import german
from finduo.evaluation import (
    BaselineLogit,
    cross_validate,
    expected_cost,
    fold_plan,
    strategy_table,
)
from finduo.features import FeatureSet

KEYS = {"auc", "auc_std", "gini", "ks", "brier", "expected_cost", "expected_cost_std"}


def _cv(frame: pd.DataFrame, **options: object) -> cv.Evaluation:
    return cross_validate(
        frame,
        german.TARGET,
        "german-credit",
        protected=german.PROTECTED,
        id_columns=[german.ID_COLUMN],
        cost_bad_accepted=5,
        cost_good_declined=1,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def short(german_frame: pd.DataFrame) -> cv.Evaluation:
    return _cv(german_frame, folds=5, repeats=1, seed=0, n_jobs=2)


def test_short_cross_validation_reaches_auc_077(short: cv.Evaluation) -> None:
    best = max(short.models[k]["auc"] for k in ("lightgbm", "scorecard"))

    assert best >= 0.77


def test_output_has_exactly_the_reported_shape(short: cv.Evaluation) -> None:
    report = short.to_dict()

    assert list(report) == ["dataset", "folds", "repeats", "seed", "models"]
    assert (report["folds"], report["repeats"], report["seed"]) == (5, 1, 0)
    assert set(report["models"]) == {"lightgbm", "scorecard", "baseline"}
    for figures in report["models"].values():
        assert set(figures) == KEYS
        assert figures["gini"] == pytest.approx(2 * figures["auc"] - 1, abs=2e-4)
        assert 0 < figures["expected_cost"] < 1


def test_out_of_fold_pd_cover_every_row(short: cv.Evaluation) -> None:
    for pd_ in short.oof_pd.values():
        assert pd_.shape == (1000,)
        assert ((pd_ > 0) & (pd_ < 1)).all()


def test_folds_partition_the_rows_and_keep_the_bad_rate() -> None:
    y = np.array([0] * 70 + [1] * 30)

    plan = fold_plan(y, folds=5, repeats=2, seed=0)

    assert len(plan) == 10
    for repeat in (plan[:5], plan[5:]):
        tests = np.concatenate([test for _, test in repeat])
        assert sorted(tests) == list(range(100))
    for train, test in plan:
        assert not set(train) & set(test)
        assert y[test].mean() == pytest.approx(0.3)


def test_every_fit_sees_only_the_training_rows(
    german_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_ids: list[set[str]] = []
    fitted_rows: list[np.ndarray] = []

    class SpyFeatureSet(FeatureSet):
        @classmethod
        def fit(cls, df, exclude=()):  # type: ignore[no-untyped-def]
            seen_ids.append(set(df[german.ID_COLUMN]))
            return super().fit(df, exclude)

    class SpyBaseline(BaselineLogit):
        @classmethod
        def fit(cls, X, y, spec, seed=0):  # type: ignore[no-untyped-def]
            fitted_rows.append(X.copy())
            return super().fit(X, y, spec, seed)

    monkeypatch.setattr(cv, "FeatureSet", SpyFeatureSet)
    monkeypatch.setitem(cv.MODELS, "baseline", SpyBaseline)

    _cv(german_frame, folds=4, repeats=1, seed=3, kinds=["baseline"], n_jobs=1)

    plan = fold_plan(german_frame["bad"].to_numpy(), 4, 1, 3)
    ids = german_frame[german.ID_COLUMN].to_numpy()
    assert len(seen_ids) == len(fitted_rows) == 4
    for (train, test), seen, rows in zip(plan, seen_ids, fitted_rows, strict=True):
        assert seen == set(ids[train])
        assert seen.isdisjoint(ids[test])
        spec = FeatureSet.fit(
            german_frame.iloc[train],
            exclude=["bad", "application_id", *german.PROTECTED],
        )
        # exactly the training rows, encoded with categories learnt from them
        np.testing.assert_array_equal(rows, spec.encode_frame(german_frame.iloc[train]))


def test_expected_cost_uses_the_cost_matrix() -> None:
    y = np.array([1, 1, 0, 0])
    pd_ = np.array([0.9, 0.1, 0.5, 0.05])

    # declined above 1/6: rows 0 and 2; bad accepted: row 1 (5); good declined: 1
    assert expected_cost(y, pd_, 1 / 6, 5, 1) == pytest.approx(6 / 4)


def test_strategy_table_approval_grows_with_the_cutoff(short: cv.Evaluation) -> None:
    rows = strategy_table(short.y, short.oof_pd["scorecard"], None, 5, 1)

    rates = [r["approval_rate"] for r in rows]
    assert rates == sorted(rates)
    assert next(r for r in rows if r["bayes"])["cutoff"] == pytest.approx(
        1 / 6, abs=1e-4
    )
    low = rows[0]
    assert low["observed_bad_rate"] < 0.15 < rows[-1]["observed_bad_rate"]
