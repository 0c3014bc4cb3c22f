"""Figures on too few rows read "too few (n=...)" instead of a number.

Regression of a new-user trial: ``finduo monitor`` and the console showed PSI
and fairness ratios computed on a handful of decisions as if they meant
something. Minimums are settings (FINDUO_MONITOR_MIN_PSI_ROWS, default 300;
FINDUO_MONITOR_MIN_GROUP_SIZE, default 100).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from finduo.datasets.german import COLUMNS, load_german
from finduo.monitoring import fairness_report
from finduo.monitoring.psi import psi_variable
from finduo.monitoring.report import report_from_store
from finduo.settings import Settings, get_settings
from finduo.simulation.synthetic import History
from finduo.store import Store

AS_OF = datetime(2027, 6, 1, tzinfo=UTC)


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _report(store: Store, history: History):
    chars = [c for c in COLUMNS if c not in ("personal_status_sex",)]
    return report_from_store(
        store,
        reference=load_german(),
        reference_pd=np.asarray([d.pd for d in history.decisions]),
        characteristics=chars,
        as_of=AS_OF,
    )


def test_shipped_minimums_are_300_decisions_for_psi_and_100_a_group() -> None:
    defaults = Settings()

    assert defaults.monitor_min_psi_rows == 300
    assert defaults.monitor_min_group_size == 100


def test_psi_and_fairness_on_200_decisions_read_too_few(
    store: Store, history: History, settings_env: pytest.MonkeyPatch
) -> None:
    for name in ("FINDUO_MONITOR_MIN_PSI_ROWS", "FINDUO_MONITOR_MIN_GROUP_SIZE"):
        settings_env.delenv(name, raising=False)

    report = _report(store, history)

    data = report.as_dict()
    n = report.n_decisions
    assert n == 200
    assert data["score_psi"]["psi"] is None
    assert data["score_psi"]["status"] == f"too few (n={n})"
    assert data["characteristic_psi"]
    assert all(r["psi"] is None for r in data["characteristic_psi"])
    assert {r["status"] for r in data["characteristic_psi"]} == {f"too few (n={n})"}
    assert "psi" not in report.svgs()
    fw = report.fairness[report.fairness["grouping"] == "foreign_worker"]
    small = fw[fw["n"] < 100]
    assert len(small) > 0
    assert small["approval_rate"].isna().all() and not small["flag"].any()
    assert (small["reading"] == [f"too few (n={k})" for k in small["n"]]).all()
    assert any("at least 300 recent decisions" in note for note in report.notes)


def test_lower_minimum_from_the_environment_shows_the_numbers(
    store: Store, history: History, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("FINDUO_MONITOR_MIN_PSI_ROWS", "150")
    settings_env.setenv("FINDUO_MONITOR_MIN_GROUP_SIZE", "5")

    report = _report(store, history)

    data = report.as_dict()
    assert data["minimums"] == {"psi_recent_rows": 150, "fairness_group_size": 5}
    assert isinstance(data["score_psi"]["psi"], float)
    assert data["score_psi"]["status"] in ("stable", "moderate shift")
    assert all(isinstance(r["psi"], float) for r in data["characteristic_psi"])


def test_small_fairness_group_is_neither_flagged_nor_the_best_group() -> None:
    german = load_german()
    approved = (german["bad"] == 0).to_numpy(int)  # the known outcome as approval
    groups = pd.DataFrame({"foreign_worker": german["foreign_worker"]})

    shown = fairness_report(approved, groups, min_group=100).set_index("group")
    raw = fairness_report(approved, groups).set_index("group")

    assert shown.loc["yes", "n"] == 37
    assert shown.loc["yes", "reading"] == "too few (n=37)"
    assert np.isnan(shown.loc["yes", "approval_rate"])
    assert not shown.loc["yes", "flag"]
    assert shown.loc["no", "reading"] == ""
    assert shown.loc["no", "approval_ratio"] == 1.0
    # Unguarded, the 37 foreign workers would be the "best" group (89 % repaid).
    assert raw["approval_rate"].idxmax() == "yes"


@pytest.mark.parametrize("column", ["credit_amount", "age_years", "purpose"])
def test_same_population_psi_crosses_010_often_at_100_rows_never_at_300(
    column: str,
) -> None:
    # Why 300: samples of the reference itself, so any PSI is noise.
    german = load_german()
    rng = np.random.default_rng(0)

    def crossing(n: int) -> float:
        values = [
            psi_variable(
                german[column],
                german[column].sample(n, replace=True, random_state=rng.integers(1e9)),
                column,
            ).psi
            for _ in range(100)
        ]
        return float(np.mean(np.asarray(values) >= 0.10))

    assert crossing(100) > 0.10
    assert crossing(300) < 0.05
