"""A model trained on any CSV: the application schema follows its features."""

from __future__ import annotations

import pandas as pd
import pytest

from finduo.datasets.german import ID_COLUMN, TARGET, load_german
from finduo.decisions.engine import Engine
from finduo.decisions.validation import InvalidApplication
from finduo.models import train_models
from finduo.policy import parse_policy

POLICY = """
name: shop
champion: lightgbm
amount_field: betrag
protected: []
cutoffs: {approve_below: 0.15, decline_cutoff: 0.1667, decline_from: 0.25}
bands:
  - name: low
    max_pd: 0.15
    terms:
      payment_methods: [invoice]
      credit_limit: {fraction_of_amount: 1.0}
      max_term_months: 12
  - name: high
    max_pd: 1.0
    terms:
      payment_methods: [prepayment]
      credit_limit: {fixed: 0}
      max_term_months: 1
rules:
  - {id: BIG, field: betrag, op: gt, value: 10000, action: refer, reason_code: BIG}
"""


@pytest.fixture(scope="module")
def shop_frame() -> pd.DataFrame:
    german = load_german()
    return pd.DataFrame(
        {
            ID_COLUMN: german[ID_COLUMN],
            "laufzeit": german["duration_months"].astype(float),
            "betrag": german["credit_amount"].astype(float),
            "konto": german["checking_account"].astype(str),
            "zweck": german["purpose"].astype(str),
            TARGET: german[TARGET],
        }
    )


def test_schema_and_decisions_follow_a_csv_trained_model(
    shop_frame: pd.DataFrame,
) -> None:
    train, new = shop_frame.iloc[:800], shop_frame.iloc[800:].drop(columns=TARGET)
    model = train_models(
        train, TARGET, "shop", id_columns=[ID_COLUMN], kinds=("lightgbm",)
    )["lightgbm"]
    engine = Engine(model, parse_policy(POLICY, "shop.yaml"))

    decisions = engine.decide_many(new)

    assert set(engine.schema.fields) == {
        ID_COLUMN,
        "laufzeit",
        "betrag",
        "konto",
        "zweck",
    }
    assert len(decisions) == 200
    assert {d.outcome for d in decisions} == {"approve", "refer", "decline"}
    big = [d for d, b in zip(decisions, new["betrag"], strict=True) if b > 10000]
    assert big and all("BIG" in d.rules_fired for d in big)
    # The refer rule refers a big amount unless the score declines it.
    assert all(
        "rule:BIG" in d.referral_reasons
        for d in big
        if d.outcome != "decline" and "quality_sample" not in d.referral_reasons
    )
    assert all(d.referral_reasons == [] for d in big if d.outcome == "decline")
    approved = [d for d in decisions if d.outcome == "approve"]
    assert all(
        d.terms is not None and d.terms.payment_methods == ["invoice"] for d in approved
    )
    with pytest.raises(
        InvalidApplication, match=r"betrag: Input should be a valid number"
    ):
        engine.decide({**new.iloc[0].to_dict(), "betrag": "viel"})
    with pytest.raises(
        InvalidApplication, match=r"betrag: Input should be greater than 0"
    ):
        engine.decide({**new.iloc[0].to_dict(), "betrag": 0.0})
