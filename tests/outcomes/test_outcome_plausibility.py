"""Implausible outcomes are refused row by row; the plausible rows go in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from finduo.outcomes import implausible, import_csv
from finduo.simulation.synthetic import History
from finduo.store import NewOutcome, Store


def _write(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _day(value: datetime, days: int = 0) -> str:
    return (value + timedelta(days=days)).date().isoformat()


def test_implausible_rows_are_refused_naming_row_field_and_value(
    store: Store, history: History, tmp_path: Path
) -> None:
    first, second, third = history.decisions[:3]
    future = _day(datetime.now(UTC), 30)
    rows = [
        {
            "decision_id": first.decision_id,
            "kind": "paid",
            "observed_at": _day(first.created_at, 60),
            "days_past_due": 0,
        },
        {
            "decision_id": first.decision_id,
            "kind": "fraud",
            "observed_at": _day(first.created_at, -1),
            "days_past_due": None,
        },
        {
            "decision_id": second.decision_id,
            "kind": "paid",
            "observed_at": future,
            "days_past_due": 0,
        },
        {
            "decision_id": second.decision_id,
            "kind": "defaulted",
            "observed_at": _day(second.created_at, 120),
            "days_past_due": 30,
        },
        {
            "decision_id": second.decision_id,
            "kind": "defaulted",
            "observed_at": _day(second.created_at, 200),
            "days_past_due": None,
        },
        {
            "decision_id": third.decision_id,
            "kind": "churned",
            "observed_at": _day(third.created_at),
            "days_past_due": None,
        },
        {
            "decision_id": "DEC-NOPE",
            "kind": "paid",
            "observed_at": future,
            "days_past_due": 0,
        },
    ]
    path = _write(tmp_path / "outcomes.csv", rows)

    report = import_csv(store, path, "ops")

    assert report.rows == 7
    assert report.inserted == 3  # rows 1, 5 and 6
    assert [(e.row, e.field) for e in report.invalid] == [
        (2, "observed_at"),
        (3, "observed_at"),
        (4, "days_past_due"),
        (7, "observed_at"),
    ]
    before, ahead, dpd, unknown = report.invalid
    decided = first.created_at.date().isoformat()
    assert f"before the day of its decision ({decided})" in str(before)
    assert str(before).startswith("row 2, field 'observed_at'")
    assert "must not be in the future" in str(ahead) and future in str(ahead)
    assert ahead.value == future  # as typed
    assert "at least 90 days past due" in str(dpd) and dpd.value == 30
    assert "future" in str(unknown)  # dated ahead: refused before any join
    assert report.unmatched == [] and report.duplicates == []
    stored = sorted((o.decision_id, o.kind) for o in store.list_outcomes())
    assert stored == sorted(
        [
            (first.decision_id, "paid"),
            (second.decision_id, "defaulted"),
            (third.decision_id, "churned"),
        ]
    )


def test_days_past_due_threshold_follows_the_setting(
    store: Store, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = history.decisions[0]
    row = {
        "decision_id": d.decision_id,
        "kind": "defaulted",
        "observed_at": _day(d.created_at, 150),
        "days_past_due": 100,
    }
    path = _write(tmp_path / "o.csv", [row])
    monkeypatch.setenv("FINDUO_BAD_DAYS_PAST_DUE", "120")

    strict = import_csv(store, path, "ops")
    monkeypatch.setenv("FINDUO_BAD_DAYS_PAST_DUE", "90")
    default = import_csv(store, path, "ops")

    assert [e.field for e in strict.invalid] == ["days_past_due"]
    assert "at least 120 days" in str(strict.invalid[0])
    assert default.inserted == 1 and default.invalid == []


def test_application_id_joins_the_decision_made_by_the_outcome_day(
    store: Store, history: History, tmp_path: Path
) -> None:
    d = history.decisions[7]
    path = _write(
        tmp_path / "o.csv",
        [
            {
                "application_id": d.application_id,
                "kind": "paid",
                "observed_at": _day(d.created_at, 10),
            },
            {
                "application_id": d.application_id,
                "kind": "fraud",
                "observed_at": _day(d.created_at, -3),
            },
        ],
    )

    report = import_csv(store, path, "ops")

    assert report.inserted == 1
    assert [(e.row, e.field) for e in report.invalid] == [(2, "observed_at")]
    assert store.list_outcomes(d.decision_id)[0].kind == "paid"


@pytest.mark.parametrize(
    ("kind", "observed", "dpd", "fields"),
    [
        ("paid", date(2026, 3, 1), 0, []),
        ("paid", date(2026, 2, 28), 0, ["observed_at"]),
        ("paid", date(2026, 6, 2), 0, ["observed_at"]),
        ("defaulted", date(2026, 4, 1), 89, ["days_past_due"]),
        ("defaulted", date(2026, 4, 1), 90, []),
        ("defaulted", date(2026, 6, 2), 10, ["observed_at", "days_past_due"]),
        ("fraud", date(2026, 6, 1), None, []),
    ],
)
def test_implausible_checks_each_rule(
    kind: str, observed: date, dpd: int | None, fields: list[str]
) -> None:
    outcome = NewOutcome(
        decision_id="D-1",
        kind=kind,  # type: ignore[arg-type]
        observed_at=datetime.combine(observed, datetime.min.time(), UTC),
        days_past_due=dpd,
    )
    decided = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)

    problems = implausible(
        outcome, 4, decided, today=date(2026, 6, 1), bad_days_past_due=90
    )

    assert [p.field for p in problems] == fields
    assert all(p.row == 4 for p in problems)
