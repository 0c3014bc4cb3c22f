"""Local scan engine: watchlist, reasons, resume without duplicates, comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finduo.behaviour.model import modelling_frame
from finduo.datasets import taiwan
from finduo.errors import ConfigError, RowError
from finduo.portfolio.output import Manifest, work_dir
from finduo.portfolio.policy import NOTHING_OWED
from finduo.portfolio.scan import SimulatedCrash, run_scan
from finduo.portfolio.scoring import ChunkScorer

AS_OF = taiwan.AS_OF


def read_parts(folder: Path, sub: str) -> pd.DataFrame:
    parts = sorted((folder / sub).glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def test_scan_watchlist_holds_exactly_the_risky_customers(
    tmp_path: Path, portfolio_csv: Path, scan_model, policy
) -> None:
    scorer = ChunkScorer(scan_model, policy)
    out = tmp_path / "watch.csv"

    result = run_scan(portfolio_csv, AS_OF, out, scorer, chunk_rows=1000)

    watch = pd.read_csv(out, dtype={"customer_id": str})
    scores = read_parts(work_dir(out), "scores")
    assert result.customers == 3000 == len(scores)
    risky = scores[
        (scores["pd"] >= policy.policy.watch_from_pd) | (scores["action"] != "none")
    ]
    assert set(watch["customer_id"]) == set(risky["customer_id"])
    assert watch["reasons"].fillna("").str.len().gt(0).mean() > 0.95
    assert (watch["trend"] == "new").all()
    severity = watch["action"].map(
        {"case": 4, "limit_freeze": 3, "payment_plan": 2, "reminder": 1, "none": 0}
    )
    assert severity.is_monotonic_decreasing


def test_scan_inputs_equal_the_training_encoder(
    taiwan_wide: pd.DataFrame, scan_model, policy
) -> None:
    sample = taiwan_wide.head(500)
    scorer = ChunkScorer(scan_model, policy)

    X, _ = scorer.inputs({c: sample[c].to_numpy() for c in sample.columns})

    expected = scan_model.spec.encode_frame(modelling_frame(sample))
    np.testing.assert_array_equal(X, expected)


def test_resume_after_a_crash_scores_nobody_twice(
    tmp_path: Path, portfolio_csv: Path, scan_model, policy
) -> None:
    scorer = ChunkScorer(scan_model, policy)
    clean = tmp_path / "clean.csv"
    run_scan(portfolio_csv, AS_OF, clean, scorer, chunk_rows=500)
    out = tmp_path / "crashed.csv"

    with pytest.raises(SimulatedCrash):
        run_scan(portfolio_csv, AS_OF, out, scorer, chunk_rows=500, crash_after=2)
    folder = work_dir(out)
    manifest = Manifest.read(folder)
    assert manifest is not None and sorted(manifest.chunks) == [0, 1]
    # A part written but never committed, as a crash before the manifest update leaves.
    (folder / "scores" / "part-00002.parquet").write_bytes(b"half-written")
    result = run_scan(portfolio_csv, AS_OF, out, scorer, chunk_rows=500)

    assert result.resumed_chunks == 2
    scores = read_parts(folder, "scores")
    assert len(scores) == 3000 and scores["customer_id"].is_unique
    pd.testing.assert_frame_equal(
        pd.read_csv(out, dtype={"customer_id": str}),
        pd.read_csv(clean, dtype={"customer_id": str}),
    )


def test_resume_refuses_a_folder_of_another_scan(
    tmp_path: Path, portfolio_csv: Path, scan_model, policy
) -> None:
    scorer = ChunkScorer(scan_model, policy)
    out = tmp_path / "watch.csv"
    with pytest.raises(SimulatedCrash):
        run_scan(portfolio_csv, AS_OF, out, scorer, chunk_rows=500, crash_after=1)

    with pytest.raises(ConfigError, match=r"as_of.*--restart"):
        run_scan(portfolio_csv, AS_OF.replace(day=1), out, scorer, chunk_rows=500)


def test_second_scan_shows_who_got_worse_and_who_recovered(
    tmp_path: Path, taiwan_wide: pd.DataFrame, scan_model, policy
) -> None:
    scorer = ChunkScorer(scan_model, policy)
    before = taiwan_wide.sample(2000, random_state=2).drop(columns=[taiwan.TARGET])
    first_csv = tmp_path / "sep.csv"
    before.to_csv(first_csv, index=False)
    first = tmp_path / "watch-1.csv"
    run_scan(first_csv, AS_OF, first, scorer)
    watched = pd.read_csv(first, dtype={"customer_id": str})
    cured_ids = watched["customer_id"].head(20).tolist()
    after = before.copy()
    cured = after["customer_id"].isin(cured_ids)
    after.loc[cured, list(taiwan.STATUS_COLUMNS)] = -1  # paid in full every month
    after.loc[cured, "bill_amt_1"] = 0
    # Paid in full: each month's payment settles the statement before it.
    for paid, bill in zip(taiwan.PAID_COLUMNS, taiwan.BILL_COLUMNS[1:], strict=False):
        after.loc[cured, paid] = after.loc[cured, bill].clip(lower=0)
    clean = after.index[~after["customer_id"].isin(watched["customer_id"])][:20]
    after.loc[clean, list(taiwan.STATUS_COLUMNS[:3])] = 4  # four months behind
    second_csv = tmp_path / "oct.csv"
    after.to_csv(second_csv, index=False)

    run_scan(second_csv, AS_OF, tmp_path / "watch-2.csv", scorer, previous=first)

    second = pd.read_csv(tmp_path / "watch-2.csv", dtype={"customer_id": str})
    trend = second.set_index("customer_id")["trend"]
    # Cured customers leave the watchlist, or at least improve.
    assert trend.loc[cured_ids].isin(["recovered", "better"]).all()
    assert (trend.loc[cured_ids] == "recovered").sum() >= 15
    newly = after.loc[clean, "customer_id"]
    assert (trend.loc[newly] == "new").all()
    kept = second[second["trend"].isin(["worse", "better", "same"])]
    np.testing.assert_allclose(kept["change"], kept["pd"] - kept["pd_previous"])


def test_bad_status_is_reported_with_row_and_field(
    tmp_path: Path, taiwan_wide: pd.DataFrame, scan_model, policy
) -> None:
    frame = taiwan_wide.head(1200).drop(columns=[taiwan.TARGET])
    frame.loc[1100, "pay_status_3"] = 11
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)

    with pytest.raises(RowError, match=r"row 1101, field 'pay_status_3'"):
        run_scan(
            path,
            AS_OF,
            tmp_path / "w.csv",
            ChunkScorer(scan_model, policy),
            chunk_rows=1000,
        )


def test_long_layout_scan_equals_the_wide_one_and_ignores_later_months(
    tmp_path: Path, taiwan_wide: pd.DataFrame, scan_model, policy
) -> None:
    wide = taiwan_wide.sample(800, random_state=5).drop(columns=[taiwan.TARGET])
    wide_csv = tmp_path / "wide.csv"
    wide.to_csv(wide_csv, index=False)
    long = taiwan.to_long(wide)
    static = wide.set_index("customer_id")[["education", "marriage", "age"]]
    long = long.join(static, on="customer_id")
    october = long[long["month_end"] == pd.Timestamp("2005-09-30")].copy()
    october["month_end"] = pd.Timestamp("2005-10-31")
    october["pay_status"] = 8
    long_csv = tmp_path / "long.csv"
    pd.concat([long, october]).to_csv(long_csv, index=False)
    scorer = ChunkScorer(scan_model, policy)

    run_scan(wide_csv, AS_OF, tmp_path / "w-wide.csv", scorer)
    run_scan(long_csv, AS_OF, tmp_path / "w-long.csv", scorer)

    a = read_parts(work_dir(tmp_path / "w-wide.csv"), "scores")
    b = read_parts(work_dir(tmp_path / "w-long.csv"), "scores")
    a = a.assign(customer_id=a["customer_id"].astype(str)).sort_values("customer_id")
    b = b.assign(customer_id=b["customer_id"].astype(str)).sort_values("customer_id")
    np.testing.assert_array_equal(a["customer_id"], b["customer_id"])
    np.testing.assert_allclose(a["pd"], b["pd"], rtol=0, atol=1e-12)


def test_comparison_matches_ids_read_as_numbers_and_as_text(
    tmp_path: Path, taiwan_wide: pd.DataFrame, scan_model, policy
) -> None:
    frame = taiwan_wide.head(1500).drop(columns=[taiwan.TARGET])
    csv = tmp_path / "p.csv"
    frame.to_csv(csv, index=False)
    parquet = tmp_path / "p.parquet"
    frame.assign(customer_id=frame["customer_id"].astype("int64")).to_parquet(parquet)
    scorer = ChunkScorer(scan_model, policy)
    run_scan(csv, AS_OF, tmp_path / "w1.csv", scorer)

    run_scan(parquet, AS_OF, tmp_path / "w2.csv", scorer, previous=tmp_path / "w1.csv")

    second = pd.read_csv(tmp_path / "w2.csv")
    assert len(second) > 0
    assert (second["trend"] == "same").all()


def test_customers_owing_nothing_get_no_dunning_action(
    tmp_path: Path, taiwan_wide: pd.DataFrame, scan_model, policy
) -> None:
    # Regression of a new-user trial: customers with a zero balance were offered
    # payment plans. Every real customer who owes nothing on the September
    # statement, beside 1,000 who owe something.
    owes_nothing = taiwan_wide[taiwan_wide["bill_amt_1"] <= 0]
    others = taiwan_wide[taiwan_wide["bill_amt_1"] > 0].sample(1000, random_state=0)
    source = tmp_path / "portfolio.csv"
    pd.concat([owes_nothing, others]).drop(columns=[taiwan.TARGET]).to_csv(
        source, index=False
    )
    out = tmp_path / "watch.csv"

    run_scan(source, AS_OF, out, ChunkScorer(scan_model, policy))

    watch = pd.read_csv(out, dtype={"customer_id": str, "rule": str})
    zero = watch[watch["exposure"] == 0]
    assert len(zero) > 0
    assert (zero["action"] == "none").all()
    assert set(zero["rule"].fillna("")) <= {NOTHING_OWED, ""}
    assert (zero["rule"] == NOTHING_OWED).sum() > 0  # a rule would have acted
    assert zero["case_id"].isna().all()
    acting = watch[watch["action"] != "none"]
    assert (acting["exposure"] >= 1).all() and len(acting) > 0
