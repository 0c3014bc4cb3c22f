"""The review queue and resolution service, on German credit applications."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import update

from finduo.errors import DataError
from finduo.review import (
    STATUS_CHOICES,
    QueueFilter,
    ReviewService,
    referral_priority,
)
from finduo.store import Store
from finduo.store.tables import CaseRow


def _german_rows(count: int) -> list[dict[str, Any]]:
    """The first ``count`` raw applications of german.data (A-codes kept)."""
    base = os.environ.get("FINDUO_DATA_DIR")
    folder = Path(base) if base else Path(__file__).parents[3] / "shared" / "data"
    path = folder / "german-credit" / "german.data"
    if not path.exists():
        pytest.skip(f"German credit data not found at {path}")
    rows = []
    for number, line in enumerate(path.read_text().splitlines()[:count], start=1):
        cols = line.split()
        rows.append(
            {
                "application_id": f"german-{number}",
                "checking_account": cols[0],
                "duration_months": int(cols[1]),
                "credit_amount": float(cols[4]),
                "age": int(cols[12]),
            }
        )
    return rows


def _refer_all(
    store: Store, decision_factory: Any, rows: list[dict[str, Any]], pds: Any
) -> dict[str, float]:
    """Record a referral per row; the base priority of each case by its id."""
    priorities = {}
    for row, pd in zip(rows, pds, strict=True):
        priority = referral_priority(row["credit_amount"], float(pd))
        recorded = store.record_decision(
            decision_factory(
                application_id=row["application_id"],
                pd=float(pd),
                band="C" if pd < 0.3 else "D",
                referral_reasons=["grey_zone"] if pd < 0.3 else ["rule"],
            ),
            row,
            "batch",
            case_priority=priority,
        )
        assert recorded.case_id is not None
        priorities[recorded.case_id] = priority
    return priorities


def _age_case(store: Store, case_id: str, days: float) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=days))
        )


def test_queue_ranks_german_referrals_by_amount_times_uncertainty(
    store: Store, decision_factory: Any
) -> None:
    rows = _german_rows(20)
    pds = np.random.default_rng(0).uniform(0.1, 0.6, size=len(rows))
    priorities = _refer_all(store, decision_factory, rows, pds)

    view = ReviewService(store).queue(QueueFilter(limit=5))

    expected = sorted(priorities, key=lambda cid: -priorities[cid])[:5]
    assert [item.case.id for item in view.items] == expected
    assert view.total == 20
    assert sum(view.by_band.values()) == 20
    assert view.by_reason == {
        "grey_zone": int((pds < 0.3).sum()),
        "rule": int((pds >= 0.3).sum()),
    }


def test_waiting_raises_a_case_above_a_newer_higher_one(
    store: Store, decision_factory: Any
) -> None:
    rows = _german_rows(2)
    recorded = [
        store.record_decision(decision_factory(), rows[0], "w", case_priority=10.0),
        store.record_decision(decision_factory(), rows[1], "w", case_priority=6.0),
    ]
    older = recorded[1].case_id or ""
    _age_case(store, older, days=1.0)

    view = ReviewService(store).queue()
    waited = ReviewService(store).queue(QueueFilter(min_waiting=timedelta(hours=12)))

    assert view.items[0].case.id == older
    assert view.items[0].priority == pytest.approx(12.0, rel=1e-3)
    assert view.items[0].waiting >= timedelta(days=1)
    assert [i.case.id for i in waited.items] == [older]


def test_filters_by_band_and_referral_reason(
    store: Store, decision_factory: Any
) -> None:
    rows = _german_rows(10)
    pds = np.linspace(0.1, 0.5, len(rows))
    _refer_all(store, decision_factory, rows, pds)
    service = ReviewService(store)

    band_d = service.queue(QueueFilter(band="D"))
    grey = service.queue(QueueFilter(referral_reason="grey_zone"))

    assert band_d.total == int((pds >= 0.3).sum())
    assert all(item.band == "D" for item in band_d.items)
    assert grey.total == int((pds < 0.3).sum())
    assert all(item.pd is not None and item.pd < 0.3 for item in grey.items)


def test_resolving_through_the_service_records_the_override(
    store: Store, decision_factory: Any
) -> None:
    row = _german_rows(1)[0]
    recorded = store.record_decision(
        decision_factory(recommendation="decline"), row, "w", case_priority=1.0
    )
    service = ReviewService(store)
    case_id = recorded.case_id or ""

    shown = service.show(case_id)
    resolution = service.resolve(
        case_id, outcome="approve", reason_code="INCOME_VERIFIED", reviewer="anna"
    )

    assert shown.application == row
    assert resolution.is_override is True
    assert service.queue().total == 0
    assert service.show(case_id).resolution == resolution


@pytest.mark.parametrize(
    ("amount", "pd", "message"),
    [
        (-1.0, 0.2, "amount_at_risk must be >= 0; got -1.0"),
        (100.0, 1.5, r"pd must be within \[0, 1\]; got 1.5"),
    ],
)
def test_referral_priority_refuses_bad_values(
    amount: float, pd: float, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        referral_priority(amount, pd)


def test_referral_priority_is_highest_where_the_model_is_least_sure() -> None:
    values = [referral_priority(1000.0, pd) for pd in (0.05, 0.3, 0.5, 0.7, 0.95)]

    assert values[2] == pytest.approx(1000.0)
    assert values[0] < values[1] < values[2] > values[3] > values[4]


def test_queue_by_status_lists_closed_cases_with_the_time_they_waited(
    store: Store, decision_factory: Any
) -> None:
    rows = _german_rows(3)
    _refer_all(store, decision_factory, rows, np.array([0.16, 0.17, 0.18]))
    service = ReviewService(store)
    first, second, _ = [item.case for item in service.queue().items]
    service.resolve(
        first.id, outcome="decline", reason_code="CONFIRMS_MACHINE", reviewer="anna"
    )
    later = store.record_decision(
        decision_factory(application_id=second.decision.application_id),
        rows[1],
        "batch",
        case_priority=1.0,
    )
    store.supersede_open_cases(
        second.decision.application_id, later.decision.decision_id, "batch"
    )
    far = datetime.now(UTC) + timedelta(days=30)

    views = {
        status: service.queue(QueueFilter(status=status), now=far)
        for status in ("open", "resolved", "superseded", None)
    }

    assert [i.case.id for i in views["resolved"].items] == [first.id]
    assert [i.case.id for i in views["superseded"].items] == [second.id]
    assert views["open"].total == 2 and views[None].total == 4
    closed = views["resolved"].items[0]
    assert closed.waiting < timedelta(days=1)  # stopped when it was resolved
    assert closed.case.resolved_at is not None
    assert closed.waiting == closed.case.resolved_at - closed.case.created_at
    assert all(i.waiting > timedelta(days=29) for i in views["open"].items)
    assert set(STATUS_CHOICES) == {"open", "resolved", "superseded", "any"}
