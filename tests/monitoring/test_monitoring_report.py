"""The monitoring report from a store with decisions, outcomes and resolutions."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from finduo.datasets.german import COLUMNS, load_german
from finduo.monitoring.report import report_from_store
from finduo.outcomes import import_records
from finduo.simulation.synthetic import History
from finduo.store import Store


def test_report_from_store_counts_bases_and_flags_nothing_on_same_population(
    store: Store, history: History
) -> None:
    ids = {d.decision_id for d in history.decisions[:200]}
    outcomes = history.outcomes[history.outcomes["decision_id"].isin(ids)]
    import_records(
        store,
        outcomes.assign(observed_at=outcomes["observed_at"].astype(str)).to_dict(
            orient="records"
        ),
        "ops",
    )
    reference = load_german()
    chars = [c for c in COLUMNS if c not in ("personal_status_sex",)]

    report = report_from_store(
        store,
        reference=reference,
        reference_pd=np.asarray([d.pd for d in history.decisions]),
        characteristics=chars,
        as_of=datetime(2027, 6, 1, tzinfo=UTC),
        # 200 decisions: below the shipped minimums, which have their own test.
        min_psi_rows=200,
        min_group_size=10,
    )

    approved = sum(d.outcome == "approve" for d in history.decisions[:200])
    assert report.n_decisions == 200
    assert report.n_matured == approved
    assert report.performance["n"] == approved
    assert len(report.characteristic_psi) == len(chars)
    assert report.score_psi is not None and report.score_psi.psi < 0.10
    fw = report.fairness[report.fairness["grouping"] == "foreign_worker"]
    assert fw["n"].sum() == 200
    data = report.as_dict()
    assert data["n_matured"] == approved
    assert set(report.svgs()) >= {"psi", "calibration", "vintages", "fairness"}
    assert report.svgs()["psi"].startswith("<svg")
