"""PSI on German credit: a constructed shift is found and ranked first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finduo.datasets.german import COLUMNS, load_german
from finduo.monitoring import (
    PSI_SIGNIFICANT,
    characteristic_psi,
    psi_categorical,
    psi_numeric,
)


@pytest.fixture(scope="module")
def german() -> pd.DataFrame:
    return load_german()


def _resample(df: pd.DataFrame, weights: np.ndarray, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(df), size=len(df), replace=True, p=weights / weights.sum())
    return df.iloc[idx].reset_index(drop=True)


@pytest.mark.parametrize(
    ("column", "shift"),
    [
        ("checking_account", lambda s: np.where(s == "no checking account", 6.0, 1.0)),
        ("age_years", lambda s: np.where(s.to_numpy() < 30, 6.0, 1.0)),
        ("purpose", lambda s: np.where(s == "car (new)", 5.0, 1.0)),
    ],
)
def test_psi_constructed_shift_ranks_shifted_characteristic_first(
    german: pd.DataFrame, column: str, shift
) -> None:
    recent = _resample(german, np.asarray(shift(german[column]), dtype=float), 1)

    table = characteristic_psi(german, recent, columns=list(COLUMNS))

    assert table.loc[0, "characteristic"] == column
    assert table.loc[0, "psi"] > PSI_SIGNIFICANT
    assert table.loc[0, "status"] == "significant shift"
    assert len(table) == len(COLUMNS)


def test_psi_unshifted_resample_is_stable(german: pd.DataFrame) -> None:
    recent = _resample(german, np.ones(len(german)), 2)

    table = characteristic_psi(german, recent, columns=list(COLUMNS))

    assert (table["psi"] < 0.10).all(), table.head()


def test_psi_table_has_no_totals_row_and_sums_to_psi(german: pd.DataFrame) -> None:
    shifted = german["credit_amount"].to_numpy() * 1.5

    res = psi_numeric(german["credit_amount"], shifted, "credit_amount")

    assert res.table["psi"].sum() == pytest.approx(res.psi)
    assert res.table["expected_n"].sum() == len(german)
    assert res.table["actual_n"].sum() == len(german)
    assert res.psi > PSI_SIGNIFICANT


def test_psi_unseen_category_and_missing_values_are_kept() -> None:
    ref = pd.Series(["a"] * 50 + ["b"] * 50)
    new = pd.Series(["a"] * 40 + ["b"] * 40 + ["c"] * 10 + [None] * 10)

    res = psi_categorical(ref, new, "x")

    assert set(res.table["bin"]) == {"a", "b", "c", "missing"}
    assert res.table["actual_n"].sum() == 100
    assert res.psi > 0.25
