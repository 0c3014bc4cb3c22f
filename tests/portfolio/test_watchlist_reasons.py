"""Early-warning reasons: every model input worded in English and German.

Regression of a new-user trial: watchlist reasons showed raw feature names
(``pay_ratio_m3 = 0.2``) for inputs the wording table did not know.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finduo.behaviour.model import INPUTS
from finduo.datasets import taiwan
from finduo.portfolio.reasons import catalogue, reason_text
from finduo.portfolio.scan import run_scan
from finduo.portfolio.scoring import ChunkScorer

# Feature names that are not plain words ("age", "education" are).
CODED = sorted((n for n in INPUTS if "_" in n), key=len, reverse=True)
RAW_NAME = re.compile(r"\b(" + "|".join(map(re.escape, CODED)) + r")\b")


@pytest.mark.parametrize("feature", INPUTS)
def test_every_model_input_has_its_own_words_in_both_languages(feature: str) -> None:
    entry = catalogue().features.get(feature)

    assert entry is not None, f"{feature} is missing from portfolio/reasons.yaml"
    for value in (0.0, 1.0, 0.35, 25000.0, float("nan")):
        en, de = reason_text(feature, value, "en"), reason_text(feature, value, "de")
        assert not RAW_NAME.search(en), en
        assert not RAW_NAME.search(de), de
    assert entry.en != entry.de


@pytest.mark.parametrize(
    ("feature", "value", "en", "de"),
    [
        (
            "limit_bal",
            10000,
            "credit limit only NT$ 10,000",
            "Kreditlimit nur NT$ 10.000",
        ),
        (
            "util_cur",
            0.953,
            "balance at 95% of the credit limit",
            "Saldo bei 95 % des Kreditlimits",
        ),
        (
            "status_cur",
            -1,
            "this month: paid in full",
            "diesen Monat: vollständig bezahlt",
        ),
        (
            "status_prev",
            2,
            "last month: 2 month(s) overdue",
            "im Vormonat: 2 Monat(e) überfällig",
        ),
        (
            "months_since_delinq",
            0,
            "in arrears this month",
            "diesen Monat im Rückstand",
        ),
        (
            "delinq_trend",
            1.5,
            "arrears rising: +1.5 months on average against the 3 months before",
            "Rückstand steigt: +1,5 Monate im Mittel gegenüber den 3 Monaten davor",
        ),
        (
            "pay_ratio_m3",
            float("nan"),
            "payment 2 months earlier against its bill: no value",
            "Zahlung 2 Monate davor im Verhältnis zu ihrer Rechnung: kein Wert",
        ),
    ],
)
def test_reason_wording_by_hand(feature: str, value: float, en: str, de: str) -> None:
    assert reason_text(feature, value, "en") == en
    assert reason_text(feature, value, "de") == de


def test_no_reason_on_a_real_watchlist_shows_a_raw_feature_name(
    tmp_path: Path, portfolio_csv: Path, scan_model, policy
) -> None:
    out = tmp_path / "watch.csv"

    run_scan(portfolio_csv, taiwan.AS_OF, out, ChunkScorer(scan_model, policy))

    watch = pd.read_csv(out, dtype={"customer_id": str})
    listed = watch[watch["trend"] != "recovered"]
    en = listed["reasons"].fillna("")
    de = listed["reasons_de"].fillna("")
    assert (en != "").mean() > 0.95
    texts = [t for cell in [*en, *de] for t in cell.split("; ") if t]
    raw = sorted({t for t in texts if RAW_NAME.search(t) or "GEN_" in t})
    assert raw == []
    # German words, not a copy of the English column; the codes agree.
    assert (en[en != ""] != de[en != ""]).all()
    codes = [[p.split(":")[0] for p in cell.split("; ")] for cell in en[en != ""]]
    codes_de = [[p.split(":")[0] for p in cell.split("; ")] for cell in de[en != ""]]
    assert codes == codes_de
    assert np.mean([len(c) for c in codes]) > 1
