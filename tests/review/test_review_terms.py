"""Resolving through the review service: band terms on approvals, OTHER's comment.

The CLI, the API and the console all resolve through ReviewService, so these
rules hold for each of them (their own tests check the front-end wording).
"""

from __future__ import annotations

from typing import Any

import pytest

from finduo.policy import shipped_policy
from finduo.review import ReviewService
from finduo.review.terms import band_terms
from finduo.store import InvalidInput, Store

# A German-credit style application: the policy sizes terms by credit_amount.
APPLICATION = {"application_id": "g-1", "credit_amount": 2500.0, "age_years": 31}


def _referred(store: Store, decision_factory: Any, **fields: Any) -> str:
    """A referral decided under the shipped policy, without terms of its own."""
    decision = decision_factory(
        terms=None, policy_version=shipped_policy().version, **fields
    )
    recorded = store.record_decision(decision, APPLICATION, "w", case_priority=1.0)
    assert recorded.case_id is not None
    return recorded.case_id


def test_approval_without_terms_stores_and_audits_the_band_terms(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory, band="D")
    band = next(b for b in shipped_policy().policy.bands if b.name == "D").terms

    resolution = ReviewService(store).resolve(
        case_id, outcome="approve", reason_code="INCOME_VERIFIED", reviewer="anna"
    )

    assert resolution.terms is not None
    assert resolution.terms.credit_limit == band.credit_limit.of(2500.0)
    assert resolution.terms.deposit == band.deposit.of(2500.0)
    assert resolution.terms.payment_methods == list(band.payment_methods)
    assert resolution.terms.max_term_months == band.max_term_months
    assert store.get_case(case_id).resolution == resolution
    (event,) = [
        e
        for e in store.audit_events(subject_type="case", subject_id=case_id)
        if e.action == "case.resolved"
    ]
    assert event.payload["terms"] == resolution.terms.model_dump(mode="json")


def test_changed_terms_are_merged_over_the_band_terms(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory, band="C")
    base = band_terms(store, store.get_case(case_id))
    assert base is not None

    resolution = ReviewService(store).resolve(
        case_id,
        outcome="approve",
        reason_code="COLLATERAL",
        reviewer="anna",
        terms={"credit_limit": 900.0, "deposit": None},
    )

    assert resolution.terms is not None
    assert resolution.terms.credit_limit == 900.0
    assert resolution.terms.deposit == base.deposit
    assert resolution.terms.payment_methods == base.payment_methods


def test_band_without_credit_needs_a_limit_and_payment_methods(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory, band="E")
    service = ReviewService(store)

    with pytest.raises(InvalidInput, match="band E grants no credit") as refused:
        service.resolve(
            case_id,
            outcome="approve",
            reason_code="COLLATERAL",
            reviewer="anna",
            terms={"credit_limit": 400.0},
        )
    granted = service.resolve(
        case_id,
        outcome="approve",
        reason_code="COLLATERAL",
        reviewer="anna",
        terms={"credit_limit": 400.0, "payment_methods": ["prepayment"]},
    )

    assert refused.value.context["field"] == "terms"
    assert granted.terms is not None
    assert (granted.terms.credit_limit, granted.terms.max_term_months) == (400.0, 12)


def test_unknown_policy_version_refuses_an_approval_without_terms(
    store: Store, decision_factory: Any
) -> None:
    recorded = store.record_decision(
        decision_factory(terms=None, policy_version="gone-0123456789ab"),
        APPLICATION,
        "w",
    )
    case_id = recorded.case_id or ""

    with pytest.raises(InvalidInput, match="under policy gone-0123456789ab are"):
        ReviewService(store).resolve(
            case_id, outcome="approve", reason_code="COLLATERAL", reviewer="anna"
        )

    assert store.get_case(case_id).status == "open"


def test_decline_keeps_no_terms_and_refuses_given_ones(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory, band="D")
    service = ReviewService(store)

    with pytest.raises(InvalidInput, match="only be changed with outcome 'approve'"):
        service.resolve(
            case_id,
            outcome="decline",
            reason_code="CONFIRMS_MACHINE",
            reviewer="anna",
            terms={"credit_limit": 400.0},
        )
    declined = service.resolve(
        case_id,
        outcome="decline",
        reason_code="CONFIRMS_MACHINE",
        reviewer="anna",
        terms={"credit_limit": None},
    )

    assert declined.terms is None


def test_reason_code_other_needs_a_comment_through_the_service(
    store: Store, decision_factory: Any
) -> None:
    case_id = _referred(store, decision_factory, band="D")
    service = ReviewService(store)

    with pytest.raises(InvalidInput, match="when the reason code is OTHER") as e:
        service.resolve(
            case_id, outcome="approve", reason_code="OTHER", reviewer="anna"
        )
    done = service.resolve(
        case_id,
        outcome="approve",
        reason_code="OTHER",
        reviewer="anna",
        comment="known customer",
    )

    assert e.value.context["field"] == "comment"
    assert done.comment == "known customer"
