"""Reject inference: the augmentations and the hidden-outcomes experiment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finduo.errors import DataError
from finduo.learning.experiment import VARIANTS, german_experiment
from finduo.learning.reject_inference import augment, fuzzy_augment, parcel


def test_fuzzy_augment_weights_each_reject_by_its_pd() -> None:
    known = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    rejects = pd.DataFrame({"x": [8.0, 9.0]})

    aug = fuzzy_augment(known, [0, 1, 0], rejects, [0.2, 0.7])

    assert len(aug.X) == 7 and aug.n_inferred == 4
    assert aug.weight.sum() == pytest.approx(3 + 2)
    bad_w = aug.weight[(aug.y == 1) & (aug.X["x"].to_numpy() > 5)]
    assert sorted(bad_w) == pytest.approx([0.2, 0.7])


def test_parcelling_assigns_uplifted_band_bad_rate() -> None:
    rng = np.random.default_rng(0)
    pd_known = rng.random(20_000)
    y_known = (rng.random(20_000) < pd_known * 0.5).astype(int)
    pd_rej = np.full(20_000, 0.95)

    labels = parcel(pd_known, y_known, pd_rej, n_bands=10, uplift=1.5, seed=1)

    top_rate = y_known[pd_known >= np.quantile(pd_known, 0.9)].mean()
    assert labels.mean() == pytest.approx(min(1, 1.5 * top_rate), abs=0.02)


def test_unknown_method_is_named() -> None:
    frame = pd.DataFrame({"x": [1.0]})
    with pytest.raises(DataError, match="got 'magic'"):
        augment("magic", frame, [0], [0.1], frame, [0.2])  # type: ignore[arg-type]


@pytest.mark.slow
def test_experiment_hides_riskier_outcomes_and_reports_every_variant() -> None:
    result = german_experiment(learner="logistic", folds=3, repeats=1, seed=0)

    folds = result.folds
    assert set(folds["variant"]) == set(VARIANTS)
    assert (folds["hidden_bad_rate"] > folds["known_bad_rate"]).all()
    summary = result.summary
    assert summary.loc["oracle", "auc"] > 0.70
    assert summary.loc["known_only", "cost_vs_known"] == 0.0
    assert summary[["auc", "expected_cost", "brier"]].notna().all().all()
