"""Cases and resolutions: overrides, reason codes, concurrent resolution."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import update

from finduo.errors import ConflictError, NotFoundError
from finduo.store import CaseFilter, InvalidInput, Store, _cases
from finduo.store.tables import CaseRow

APPLICATION = {"application_id": "a", "credit_amount": 2500, "age": 31}


def _referred(store: Store, decision_factory: Any, **fields: Any) -> str:
    recorded = store.record_decision(decision_factory(**fields), APPLICATION, "w")
    assert recorded.case_id is not None
    return recorded.case_id


def test_approving_a_decline_recommendation_is_an_override(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory, recommendation="decline")

    resolution = store.resolve_case(
        case_id,
        outcome="approve",
        reason_code="COLLATERAL",
        reviewer="anna",
        comment="guarantor signed",
        terms={
            "payment_methods": ["prepayment"],
            "credit_limit": 500,
            "deposit": 100,
            "max_term_months": 12,
        },
        first_judgement="decline",
    )

    assert resolution.is_override is True
    assert resolution.terms is not None and resolution.terms.credit_limit == 500
    case = store.get_case(case_id)
    assert (case.status, case.version) == ("resolved", 2)
    assert case.resolution == resolution
    assert case.resolution.first_judgement == "decline"
    event = store.audit_events(subject_type="case", subject_id=case_id)[-1]
    assert (event.action, event.actor) == ("case.resolved", "anna")
    assert event.payload["is_override"] is True


def test_following_the_recommendation_is_no_override(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory, recommendation="decline")

    resolution = store.resolve_case(
        case_id, outcome="decline", reason_code="AFFORDABILITY", reviewer="ben"
    )

    assert resolution.is_override is False


def test_unknown_reason_code_names_the_managed_codes(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory)

    with pytest.raises(InvalidInput, match=r"reason_code must be one of .*AFFORD"):
        store.resolve_case(
            case_id, outcome="approve", reason_code="GUT_FEELING", reviewer="anna"
        )
    assert store.get_case(case_id).status == "open"


def test_reason_code_for_the_other_outcome_is_refused(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory)

    with pytest.raises(InvalidInput, match="'FRAUD_SUSPECTED' is for decline"):
        store.resolve_case(
            case_id, outcome="approve", reason_code="FRAUD_SUSPECTED", reviewer="a"
        )


def test_changed_terms_with_a_decline_are_refused(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory)

    with pytest.raises(InvalidInput, match="terms can only be changed with"):
        store.resolve_case(
            case_id,
            outcome="decline",
            reason_code="AFFORDABILITY",
            reviewer="a",
            terms={
                "payment_methods": [],
                "credit_limit": 0,
                "deposit": 0,
                "max_term_months": 0,
            },
        )


def test_second_resolution_of_a_case_conflicts(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory)
    store.resolve_case(
        case_id,
        outcome="decline",
        reason_code="OTHER",
        comment="see file",
        reviewer="a",
    )

    with pytest.raises(ConflictError, match="already resolved"):
        store.resolve_case(
            case_id,
            outcome="approve",
            reason_code="OTHER",
            comment="see file",
            reviewer="b",
        )


def test_unknown_case_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="case 'x' does not exist"):
        store.resolve_case(
            "x",
            outcome="approve",
            reason_code="OTHER",
            comment="see file",
            reviewer="a",
        )


def _race(store: Store, case_id: str) -> list[str]:
    """Two reviewers resolve one case at the same moment; their results."""
    barrier = threading.Barrier(2)
    results: list[str] = []

    def resolve(reviewer: str, outcome: Any) -> None:
        barrier.wait()
        try:
            store.resolve_case(
                case_id,
                outcome=outcome,
                reason_code="OTHER",
                comment="see file",
                reviewer=reviewer,
            )
            results.append(f"won:{reviewer}")
        except ConflictError:
            results.append("conflict")

    threads = [
        threading.Thread(target=resolve, args=("anna", "approve")),
        threading.Thread(target=resolve, args=("ben", "decline")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_resolutions_exactly_one_wins(
    store: Store, decision_factory: Any
) -> None:
    case_ids = [_referred(store, decision_factory) for _ in range(5)]

    races = {case_id: _race(store, case_id) for case_id in case_ids}

    for case_id, results in races.items():
        assert sorted(r.split(":")[0] for r in results) == ["conflict", "won"]
        winner = next(r for r in results if r != "conflict")
        resolution = store.get_case(case_id).resolution
        assert resolution is not None
        assert f"won:{resolution.reviewer}" == winner
    assert store.audit_verify().ok


def test_list_cases_orders_by_priority_and_filters(
    store: Store, decision_factory: Any
) -> None:
    low = store.record_decision(
        decision_factory(band="B", referral_reasons=["quality_sample"]),
        APPLICATION,
        "w",
        case_priority=1.0,
    )
    high = store.record_decision(
        decision_factory(band="C", referral_reasons=["grey_zone", "unseen_value"]),
        APPLICATION,
        "w",
        case_priority=9.0,
    )
    done = store.record_decision(decision_factory(), APPLICATION, "w", case_priority=5)
    store.resolve_case(
        done.case_id or "",
        outcome="decline",
        reason_code="OTHER",
        comment="see file",
        reviewer="ben",
    )

    open_ids = [c.id for c in store.list_cases()]
    band_b = [c.id for c in store.list_cases(CaseFilter(band="B"))]
    unseen = [
        c.id for c in store.list_cases(CaseFilter(referral_reason="unseen_value"))
    ]
    by_ben = [c.id for c in store.list_cases(CaseFilter(status=None, reviewer="ben"))]

    assert open_ids == [high.case_id, low.case_id]
    assert band_b == [low.case_id]
    assert unseen == [high.case_id]
    assert by_ben == [done.case_id]
    assert store.list_cases()[0].decision is not None


def test_contest_case_on_a_decision(store: Store, decision_factory: Any) -> None:
    decision = decision_factory(outcome="decline", recommendation="decline")
    store.record_decision(decision, APPLICATION, "webshop")

    case = store.open_case(
        "applicant-portal",
        kind="contest",
        decision_id=decision.decision_id,
        priority=100.0,
        referral_reasons=["contest"],
    )

    assert store.case_for_decision(decision.decision_id) == store.get_case(case.id)
    with pytest.raises(InvalidInput, match="kind must be one of"):
        store.open_case("x", kind="complaint", decision_id=decision.decision_id)  # type: ignore[arg-type]


def test_saved_reason_code_becomes_usable(store: Store, decision_factory: Any) -> None:
    case_id = _referred(store, decision_factory)

    store.save_reason_code(
        "SEASONAL_INCOME",
        label_en="Seasonal income",
        label_de="Saisonales Einkommen",
        applies_to="approve",
        actor="admin",
    )
    resolution = store.resolve_case(
        case_id, outcome="approve", reason_code="SEASONAL_INCOME", reviewer="anna"
    )

    assert resolution.reason_code == "SEASONAL_INCOME"
    codes = {c.code: c for c in store.list_reason_codes()}
    assert codes["SEASONAL_INCOME"].label("de") == "Saisonales Einkommen"
    assert len(codes) == 12


@pytest.mark.postgres
def test_stale_case_version_loses_at_the_conditional_update(
    pg_url: str, decision_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL only: on SQLite the write lock taken at BEGIN makes this
    # interleaving impossible (the second writer waits for the first).
    store = Store(pg_url, audit_key="k" * 32)
    store.upgrade()
    case_id = _referred(store, decision_factory)
    real_check = _cases._check_reason_code

    def check_then_someone_else_writes(*args: Any) -> None:
        real_check(*args)
        with store.engine.begin() as conn:  # another transaction, committed
            conn.execute(update(CaseRow).where(CaseRow.id == case_id).values(version=7))

    monkeypatch.setattr(_cases, "_check_reason_code", check_then_someone_else_writes)

    with pytest.raises(ConflictError, match="resolved by someone else first"):
        store.resolve_case(
            case_id,
            outcome="approve",
            reason_code="OTHER",
            comment="see file",
            reviewer="a",
        )
    store.close()


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_reason_code_other_without_a_comment_is_refused(
    store: Store, decision_factory: Any, comment: str | None
) -> None:
    case_id = _referred(store, decision_factory)

    with pytest.raises(InvalidInput, match="comment must say what the reason is") as e:
        store.resolve_case(
            case_id,
            outcome="decline",
            reason_code="OTHER",
            reviewer="a",
            comment=comment,
        )

    assert e.value.context["field"] == "comment"
    assert store.get_case(case_id).status == "open"
