"""Column-wise store reads, replay and purge on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from finduo.outcomes import import_records, label_decisions
from finduo.policy.loader import shipped_policy
from finduo.retention import purge
from finduo.simulation.from_store import load_columns, simulate_stored
from finduo.simulation.synthetic import History, german_history
from finduo.store import Store
from finduo.store.analytics import (
    decision_frame,
    outcome_frame,
    replay_frame,
    resolution_frame,
)

AS_OF = datetime(2027, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def history() -> History:
    return german_history(seed=1)[2]


def test_reads_replay_and_purge_agree_on_every_backend(
    store: Store, history: History
) -> None:
    decisions = history.decisions[:80]
    for i, (d, app) in enumerate(
        zip(decisions, history.applications[:80], strict=True)
    ):
        reasons = (
            [*d.referral_reasons, "unseen value 'x' for purpose"] if i < 3 else None
        )
        if reasons is not None:
            d = d.model_copy(update={"referral_reasons": reasons, "outcome": "refer"})
        store.record_decision(d, app, "engine", open_case=d.outcome == "refer")
    ids = {d.decision_id for d in decisions}
    out = history.outcomes[history.outcomes["decision_id"].isin(ids)]
    import_records(
        store,
        out.assign(observed_at=out["observed_at"].astype(str)).to_dict(
            orient="records"
        ),
        "ops",
    )
    case = store.case_for_decision(decisions[0].decision_id)
    store.resolve_case(
        case.id,
        outcome="approve",
        reason_code="CONFIRMS_MACHINE",
        reviewer="rev",
        first_judgement="decline",
        comment="ok",
    )

    frame = decision_frame(store, fields=["age_years", "purpose"])
    lean, n_erased = replay_frame(store, ["age_years"])
    res = resolution_frame(store)
    cols, n_read, _, n_matured = load_columns(
        store, ["age_years", "credit_amount", "duration_months"], as_of=AS_OF
    )
    labels = label_decisions(frame, outcome_frame(store), AS_OF)

    assert len(frame) == len(lean) == n_read == 80 and n_erased == 0
    assert frame["age_years"].dtype == np.float64
    assert set(frame["purpose"]) <= {a["purpose"] for a in history.applications}
    assert int(frame["feature_flag"].sum()) == 3 == int(cols.feature_flag.sum())
    assert n_matured == int(labels["bad"].notna().sum()) > 0
    assert res.loc[0, "first_judgement"] == "decline" and bool(
        res.loc[0, "is_override"]
    ) in (True, False)
    sim = simulate_stored(
        store, shipped_policy().policy, shipped_policy().policy, as_of=AS_OF
    )
    assert sim.simulation.swap_in.n == 0 and sim.simulation.n == 80

    report = purge(
        store,
        datetime(2025, 7, 1, tzinfo=UTC),
        "dpo",
        now=datetime(2027, 8, 1, tzinfo=UTC),
    )

    _, n_erased = replay_frame(store, ["age_years"])
    assert n_erased == report.applications_erased > 0
    assert store.audit_verify().ok
