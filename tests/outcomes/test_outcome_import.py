"""Outcome import: every row is inserted, invalid, unmatched or duplicate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from finduo.errors import DataError
from finduo.outcomes import OutcomeDefinition, import_csv, label_decisions
from finduo.simulation.synthetic import History
from finduo.store import Store
from finduo.store.analytics import decision_frame, outcome_frame


def _write(path: Path, rows: list[dict], sep: str = ",") -> Path:
    pd.DataFrame(rows).to_csv(path, index=False, sep=sep)
    return path


def test_import_reports_unmatched_duplicate_and_invalid_rows(
    store: Store, history: History, tmp_path: Path
) -> None:
    known = history.outcomes[
        history.outcomes["decision_id"].isin(
            [d.decision_id for d in history.decisions[:300]]
        )
    ].head(20)
    rows = [
        {
            "decision_id": r.decision_id,
            "kind": r.kind,
            "observed_at": r.observed_at.date().isoformat(),
            "days_past_due": r.days_past_due,
        }
        for r in known.itertuples()
    ]
    rows.append(dict(rows[0]))  # duplicate within the file
    rows.append(
        {
            "decision_id": "DEC-NOPE",
            "kind": "paid",
            "observed_at": "2025-06-01",
            "days_past_due": 0,
        }
    )
    rows.append(
        {
            "decision_id": rows[1]["decision_id"],
            "kind": "lost",
            "observed_at": "2025-06-01",
            "days_past_due": 0,
        }
    )
    rows.append(
        {
            "decision_id": rows[1]["decision_id"],
            "kind": "paid",
            "observed_at": "not a date",
            "days_past_due": 0,
        }
    )
    path = _write(tmp_path / "outcomes.csv", rows, sep=";")

    report = import_csv(store, path, "ops")
    again = import_csv(store, path, "ops")

    assert report.rows == len(rows) == 24
    assert report.inserted == 20
    assert [o.decision_id for o in report.unmatched] == ["DEC-NOPE"]
    assert len(report.duplicates) == 1
    assert report.duplicates[0].source_row == "outcomes.csv:21"
    assert [(e.row, e.field) for e in report.invalid] == [
        (23, "kind"),
        (24, "observed_at"),
    ]
    assert "must be one of paid" in str(report.invalid[0])
    assert report.invalid[0].value == "lost"
    assert again.inserted == 0 and len(again.duplicates) == 21
    assert len(store.list_outcomes()) == 20


def test_import_by_application_id_joins_latest_decision(
    store: Store, history: History, tmp_path: Path
) -> None:
    d = history.decisions[5]
    path = _write(
        tmp_path / "o.csv",
        [
            {
                "application_id": d.application_id,
                "kind": "paid",
                "observed_at": "2025-12-31",
                "days_past_due": 3,
            },
            {
                "application_id": "GC-9999",
                "kind": "paid",
                "observed_at": "2025-12-31",
                "days_past_due": 3,
            },
        ],
    )

    report = import_csv(store, path, "ops")

    assert report.inserted == 1 and len(report.unmatched) == 1
    assert store.list_outcomes(d.decision_id)[0].days_past_due == 3


def test_import_without_id_column_is_refused(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "o.csv", [{"kind": "paid", "observed_at": "2025-01-01"}])

    with pytest.raises(DataError, match="decision_id or application_id"):
        import_csv(store, path, "ops")


def test_bad_definition_and_maturity_follow_the_settings(
    store: Store, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = {d.decision_id for d in history.decisions[:300]}
    outcomes = history.outcomes[history.outcomes["decision_id"].isin(ids)]
    records = outcomes.assign(observed_at=outcomes["observed_at"].astype(str))
    from finduo.outcomes import import_records

    import_records(store, records.to_dict(orient="records"), "ops")
    decisions = decision_frame(store)
    stored = outcome_frame(store)
    as_of = datetime(2027, 1, 15, tzinfo=UTC)

    labels = label_decisions(decisions, stored, as_of)
    monkeypatch.setenv("FINDUO_BAD_DAYS_PAST_DUE", "150")
    monkeypatch.setenv("FINDUO_PERFORMANCE_WINDOW_MONTHS", "24")
    strict = label_decisions(decisions, stored, as_of, OutcomeDefinition())

    approved = decisions["outcome"] == "approve"
    assert labels.loc[approved.to_numpy(), "bad"].notna().all()
    assert labels.loc[~approved.to_numpy(), "bad"].isna().all()
    # defaulted records stay bad whatever the dpd threshold; 24 months have
    # not passed for most, so far fewer are mature.
    assert strict["matured"].sum() < labels["matured"].sum()
    both = strict["matured"].to_numpy() & approved.to_numpy()
    assert strict.loc[both, "bad"].notna().all()
    early = label_decisions(decisions, stored, datetime(2025, 3, 1, tzinfo=UTC))
    assert early["bad"].isna().all() and not early["matured"].any()


def test_dpd_threshold_and_window_decide_bad() -> None:
    decisions = pd.DataFrame(
        {
            "decision_id": ["a", "b", "c", "d"],
            "created_at": pd.to_datetime(["2025-01-10"] * 4, utc=True),
        }
    )
    outcomes = pd.DataFrame(
        {
            "decision_id": ["a", "b", "c", "c"],
            "kind": ["paid", "paid", "paid", "fraud"],
            "days_past_due": [100, 30, 0, None],
            "observed_at": pd.to_datetime(
                ["2025-05-01", "2025-05-01", "2025-03-01", "2026-03-01"], utc=True
            ),
        }
    )
    as_of = datetime(2026, 6, 1, tzinfo=UTC)

    default = label_decisions(decisions, outcomes, as_of).set_index("decision_id")
    lenient = label_decisions(
        decisions, outcomes, as_of, OutcomeDefinition(bad_days_past_due=120)
    ).set_index("decision_id")
    longer = label_decisions(
        decisions,
        outcomes,
        datetime(2027, 6, 1, tzinfo=UTC),
        OutcomeDefinition(performance_window_months=18),
    ).set_index("decision_id")

    assert default["bad"].to_dict() == {"a": 1.0, "b": 0.0, "c": 0.0, "d": None} or (
        default.loc["a", "bad"] == 1.0
        and default.loc["b", "bad"] == 0.0
        and default.loc["c", "bad"] == 0.0
        and pd.isna(default.loc["d", "bad"])
    )
    assert lenient.loc["a", "bad"] == 0.0
    assert longer.loc["c", "bad"] == 1.0  # fraud in month 14 counts within 18


def test_sql_outcome_summary_labels_equal_label_decisions(
    store: Store, history: History
) -> None:
    from finduo.outcomes import import_records
    from finduo.simulation.from_store import load_columns

    ids = {d.decision_id for d in history.decisions[:300]}
    out = history.outcomes[history.outcomes["decision_id"].isin(ids)].copy()
    out.loc[out.index[:15], "kind"] = "paid"  # 95 dpd on a "paid" record
    out.loc[out.index[15:25], "kind"] = "fraud"
    import_records(
        store,
        out.assign(observed_at=out["observed_at"].astype(str)).to_dict(
            orient="records"
        ),
        "ops",
    )
    for as_of, definition in [
        (datetime(2026, 3, 1, tzinfo=UTC), OutcomeDefinition()),
        (datetime(2027, 1, 15, tzinfo=UTC), OutcomeDefinition(fraud_is_bad=False)),
        (
            datetime(2027, 1, 15, tzinfo=UTC),
            OutcomeDefinition(bad_days_past_due=120, performance_window_months=6),
        ),
    ]:
        slow = label_decisions(
            decision_frame(store), outcome_frame(store), as_of, definition
        ).set_index("decision_id")["bad"]

        cols, _, _, n_matured = load_columns(
            store, ["age_years"], as_of=as_of, definition=definition
        )

        fast = pd.Series(cols.bad, index=cols.decision_id)
        assert n_matured == int(slow.notna().sum()) > 0
        pd.testing.assert_series_equal(
            fast.sort_index(),
            slow.reindex(fast.index).sort_index(),
            check_names=False,
            check_index_type=False,
        )
