"""What-if replay: vectorised figures equal a slow row-by-row replay."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from finduo.errors import DataError
from finduo.policy import Policy, evaluate_policy, shipped_policy
from finduo.policy.schema import Cutoffs, Rule
from finduo.simulation import (
    SWAP_IN_NOTE,
    columns_from_records,
    is_feature_flag,
    simulate,
)

FIELDS = ["age_years", "credit_amount", "duration_months", "purpose"]


def _proposed(active: Policy) -> Policy:
    rules = [
        *active.rules,
        Rule(
            id="R10_LONG",
            field="duration_months",
            op="gt",
            value=48,
            action="decline",
            reason_code="DURATION_LONG",
        ),
        Rule(
            id="R11_PURPOSE",
            field="purpose",
            op="in",
            value=["vacation", "retraining"],
            action="refer",
            reason_code="PURPOSE_RARE",
        ),
    ]
    return active.model_copy(
        update={
            "name": "german-credit-looser",
            "cutoffs": Cutoffs(
                approve_below=0.18, decline_cutoff=0.2, decline_from=0.45
            ),
            "rules": rules,
        }
    )


def _slow(policy: Policy, frame: pd.DataFrame) -> tuple[list[str], list[str], list]:
    """Decide each stored decision alone with the engine's evaluate_policy."""
    outcomes, bands, terms = [], [], []
    for row in frame.itertuples(index=False):
        res = evaluate_policy(
            policy,
            {f: np.asarray([getattr(row, f)], dtype=object) for f in FIELDS},
            np.asarray([row.pd]),
            [row.application_id],
            flags=[[r for r in row.referral_reasons if is_feature_flag(r)]],
        )
        outcomes.append(res.outcome[0])
        bands.append(res.band[0])
        terms.append(res.terms[0])
    return outcomes, bands, terms


@pytest.fixture(scope="module")
def records(german_scored: pd.DataFrame) -> list[dict]:
    frame = german_scored.copy()
    frame["purpose"] = frame["purpose"].astype(str)
    return frame[
        ["decision_id", "application_id", "pd", "referral_reasons", "bad", *FIELDS]
    ].to_dict(orient="records")


def test_simulation_equals_row_by_row_replay_on_german_credit(
    german_scored: pd.DataFrame, records: list[dict]
) -> None:
    active = shipped_policy().policy
    proposed = _proposed(active)
    cols = columns_from_records(records, FIELDS)
    frame = pd.DataFrame(records)

    sim = simulate(proposed, cols, active=active, lgd=0.6)
    new_out, new_band, new_terms = _slow(proposed, frame)
    old_out, _, _ = _slow(active, frame)

    n = len(frame)
    for name in ("approve", "refer", "decline"):
        assert sim.rates["proposed"][name] == pytest.approx(new_out.count(name) / n)
        assert sim.rates["active"][name] == pytest.approx(old_out.count(name) / n)
    assert sim.rates["proposed"] != sim.rates["active"]
    bands = sim.bands.set_index("band")
    for band in [b.name for b in proposed.bands]:
        idx = [i for i in range(n) if new_band[i] == band]
        appr = [i for i in idx if new_out[i] == "approve"]
        assert bands.loc[band, "n"] == len(idx)
        assert bands.loc[band, "approve"] == len(appr)
        assert bands.loc[band, "decline"] == sum(new_out[i] == "decline" for i in idx)
        if appr:
            exp_bad = sum(records[i]["pd"] for i in appr) / len(appr)
            obs_bad = sum(records[i]["bad"] for i in appr) / len(appr)
            loss = sum(records[i]["pd"] * new_terms[i].credit_limit * 0.6 for i in appr)
            assert bands.loc[band, "expected_bad_rate"] == pytest.approx(exp_bad)
            assert bands.loc[band, "observed_bad_rate"] == pytest.approx(obs_bad)
            assert bands.loc[band, "expected_loss"] == pytest.approx(loss)
        else:
            assert math.isnan(bands.loc[band, "expected_bad_rate"])
    swap_in = {
        records[i]["decision_id"]
        for i in range(n)
        if new_out[i] == "approve" and old_out[i] != "approve"
    }
    swap_out = {
        records[i]["decision_id"]
        for i in range(n)
        if old_out[i] == "approve" and new_out[i] != "approve"
    }
    assert swap_in and swap_out
    assert set(sim.swap_in.decision_ids) == swap_in
    assert set(sim.swap_out.decision_ids) == swap_out
    assert sim.swap_in.note == SWAP_IN_NOTE


def test_simulation_same_policy_has_no_swaps(records: list[dict]) -> None:
    active = shipped_policy().policy
    cols = columns_from_records(records, FIELDS)

    sim = simulate(active, cols, active=active)

    assert sim.swap_in.n == 0 and sim.swap_out.n == 0
    assert sim.rates["proposed"] == sim.rates["active"]


def test_simulation_missing_stored_field_is_named(records: list[dict]) -> None:
    proposed = _proposed(shipped_policy().policy)
    cols = columns_from_records(records, ["age_years", "credit_amount"])

    with pytest.raises(DataError, match="duration_months"):
        simulate(proposed, cols)
