"""Evaluating a policy: rules as data, cut-offs, bands, terms, quality sample."""

from __future__ import annotations

import numpy as np
import pytest

from finduo.policy import Policy, Rule, evaluate_policy, shipped_policy
from finduo.policy.evaluate import quality_draw, rule_fires


@pytest.fixture()
def policy() -> Policy:
    return shipped_policy().policy.model_copy(
        update={
            "quality_sample": shipped_policy().policy.quality_sample.model_copy(
                update={"share": 0.0}
            )
        }
    )


def _columns(n: int, **overrides: list[object]) -> dict[str, np.ndarray]:
    base: dict[str, list[object]] = {
        "age_years": [35] * n,
        "credit_amount": [2000] * n,
        "duration_months": [12] * n,
    }
    base.update(overrides)
    return {k: np.asarray(v, dtype=object) for k, v in base.items()}


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("lt", 18, [True, False, False, False]),
        ("le", 18, [True, True, False, False]),
        ("gt", 18, [False, False, True, False]),
        ("ge", 18, [False, True, True, False]),
        ("eq", 18, [False, True, False, False]),
        ("ne", 18, [True, False, True, False]),
        ("in", [17, 40], [True, False, False, False]),
        ("not_in", [17, 40], [False, True, True, False]),
    ],
)
def test_rule_operator_on_numbers_and_missing_never_fires(
    op: str, value: object, expected: list[bool]
) -> None:
    rule = Rule(
        id="R", field="age", op=op, value=value, action="refer", reason_code="X_Y"
    )  # type: ignore[arg-type]

    fired = rule_fires(rule, np.asarray([17, 18, 19, None], dtype=object))

    assert fired.tolist() == expected


def test_rule_on_text_values_compares_text() -> None:
    rule = Rule(
        id="R",
        field="purpose",
        op="in",
        value=["business", "others"],
        action="refer",
        reason_code="PURPOSE",
    )  # type: ignore[arg-type]

    fired = rule_fires(rule, np.asarray(["business", "car (new)", None], dtype=object))

    assert fired.tolist() == [True, False, False]


def test_cutoffs_give_approve_refer_decline_and_recommendation(policy: Policy) -> None:
    pd = np.array([0.02, 0.16, 0.19, 0.50])

    result = evaluate_policy(policy, _columns(4), pd, ["a", "b", "c", "d"])

    assert result.outcome == ["approve", "refer", "refer", "decline"]
    assert result.recommendation == ["approve", "approve", "decline", "decline"]
    assert result.referral_reasons == [[], ["grey_zone"], ["grey_zone"], []]
    assert result.band == ["A", "D", "D", "E"]


def test_approval_carries_the_terms_of_its_band(policy: Policy) -> None:
    result = evaluate_policy(
        policy,
        _columns(2, credit_amount=[30000, 2000]),
        np.array([0.01, 0.07]),
        ["a", "b"],
    )

    a, b = result.terms
    assert result.outcome == ["refer", "approve"]  # 30000 > 15000: rule refers
    assert a is None
    assert b is not None
    assert b.payment_methods == ["direct_debit", "card"]
    assert b.credit_limit == 2000.0
    assert "invoice" not in b.payment_methods


def test_decline_rule_wins_over_low_pd_and_sets_recommendation(policy: Policy) -> None:
    result = evaluate_policy(
        policy, _columns(1, age_years=[16]), np.array([0.01]), ["minor"]
    )

    assert result.outcome == ["decline"]
    assert result.recommendation == ["decline"]
    assert result.rules_fired == [["R01_UNDERAGE"]]
    assert result.referral_reasons == [[]]


def test_refer_rule_and_feature_flags_refer_even_a_low_pd(policy: Policy) -> None:
    result = evaluate_policy(
        policy,
        _columns(2, duration_months=[72, 12]),
        np.array([0.01, 0.01]),
        ["a", "b"],
        flags=[[], ["unseen_value:purpose"]],
    )

    assert result.outcome == ["refer", "refer"]
    assert result.referral_reasons == [["rule:R03_LONG_TERM"], ["unseen_value:purpose"]]


def test_stop_switch_refers_everything(policy: Policy) -> None:
    result = evaluate_policy(
        policy,
        _columns(3, age_years=[16, 40, 40]),
        np.array([0.01, 0.01, 0.9]),
        ["a", "b", "c"],
        stop_switch=True,
    )

    assert result.outcome == ["refer", "refer", "refer"]
    assert all(r[0] == "stop_switch" for r in result.referral_reasons)


def test_quality_sample_is_fixed_by_id_and_near_its_share() -> None:
    policy = shipped_policy().policy
    ids = [f"APP-{i}" for i in range(20000)]
    pd = np.full(len(ids), 0.01)

    result = evaluate_policy(policy, _columns(len(ids)), pd, ids)
    again = evaluate_policy(policy, _columns(2), pd[:2], [ids[1], ids[0]])

    sampled = [r == ["quality_sample"] for r in result.referral_reasons]
    share = policy.quality_sample.share
    assert abs(np.mean(sampled) - share) < 4 * np.sqrt(share * (1 - share) / len(ids))
    assert again.outcome == [result.outcome[1], result.outcome[0]]
    assert quality_draw("x", "s") == quality_draw("x", "s")
    assert quality_draw("x", "s") != quality_draw("x", "t")


def test_single_application_equals_its_row_in_a_batch(policy: Policy) -> None:
    rng = np.random.default_rng(0)
    n = 200
    pd = rng.uniform(0, 0.6, n)
    columns = _columns(
        n,
        age_years=rng.integers(15, 80, n).tolist(),
        credit_amount=rng.integers(100, 20000, n).tolist(),
        duration_months=rng.integers(4, 72, n).tolist(),
    )
    ids = [f"id{i}" for i in range(n)]

    batch = evaluate_policy(policy, columns, pd, ids)

    for i in range(0, n, 7):
        one = evaluate_policy(
            policy,
            {k: v[i : i + 1] for k, v in columns.items()},
            pd[i : i + 1],
            ids[i : i + 1],
        )
        assert one.outcome[0] == batch.outcome[i]
        assert one.band[0] == batch.band[i]
        assert one.terms[0] == batch.terms[i]
        assert one.referral_reasons[0] == batch.referral_reasons[i]


def test_decline_level_pd_wins_over_a_refer_rule(policy: Policy) -> None:
    # A long term refers a good applicant, but not one the score declines.
    high = policy.cutoffs.decline_from + 0.05
    result = evaluate_policy(
        policy,
        _columns(2, duration_months=[72, 72]),
        np.array([high, 0.01]),
        ["a", "b"],
    )

    assert result.outcome == ["decline", "refer"]
    assert result.rules_fired == [["R03_LONG_TERM"], ["R03_LONG_TERM"]]
    assert result.referral_reasons == [[], ["rule:R03_LONG_TERM"]]


def test_a_flagged_input_refers_even_a_decline_level_pd(policy: Policy) -> None:
    # The pd rests on a value the model never saw: a person decides.
    result = evaluate_policy(
        policy,
        _columns(1, duration_months=[72]),
        np.array([0.9]),
        ["a"],
        flags=[["unseen value 'x' for purpose"]],
    )

    assert result.outcome == ["refer"]
    assert result.referral_reasons == [
        ["unseen value 'x' for purpose", "rule:R03_LONG_TERM"]
    ]


@pytest.mark.parametrize("stop", [False, True])
def test_one_application_is_decided_exactly_as_in_a_batch(stop: bool) -> None:
    # One application takes the plain-Python path, a batch the numpy one:
    # every operator, odd values (None, NaN, text, bools, numpy numbers) and
    # pds on and around every cut-off and band edge.
    base = shipped_policy().policy
    rules = [
        Rule(
            id=f"X_{op}_{i}",
            field=field,
            op=op,
            value=value,
            action=action,
            reason_code=f"X{i}",
        )
        for i, (field, op, value, action) in enumerate(
            [
                ("age_years", "lt", 21, "decline"),
                ("age_years", "ge", 70, "refer"),
                ("credit_amount", "gt", 15000, "refer"),
                ("credit_amount", "le", 250, "refer"),
                ("duration_months", "eq", 48, "refer"),
                ("duration_months", "ne", 12, "refer"),
                ("purpose", "eq", "car (new)", "refer"),
                ("purpose", "ne", "business", "refer"),
                ("purpose", "in", ["education", "retraining"], "refer"),
                ("purpose", "not_in", ["radio/television"], "refer"),
            ]
        )
    ]
    policy = base.model_copy(update={"rules": rules})
    rng = np.random.default_rng(3)
    n = 600
    odd: list[object] = [None, float("nan"), "12", True, np.int64(48), np.float64(70.0)]
    ages = [odd[i % len(odd)] if i % 9 == 0 else int(a) for i, a in
            enumerate(rng.integers(15, 80, n))]  # fmt: skip
    purposes = rng.choice(
        ["car (new)", "business", "education", "retraining", "radio/television"], n
    ).tolist()
    purposes[::11] = [None] * len(purposes[::11])
    edges = [
        *(band.max_pd for band in policy.bands),
        policy.cutoffs.approve_below,
        policy.cutoffs.decline_from,
        policy.cutoffs.decline_cutoff,
    ]
    pd = rng.uniform(0, 0.6, n)
    pd[: len(edges) * 3] = [e + d for e in edges for d in (-1e-12, 0.0, 1e-12)]
    columns = _columns(
        n,
        age_years=ages,
        credit_amount=rng.integers(100, 20000, n).tolist(),
        duration_months=rng.choice([12, 24, 48, 60], n).tolist(),
    )
    columns["purpose"] = np.asarray(purposes, dtype=object)
    ids = [f"id{i}" for i in range(n)]
    flags = [["unseen value"] if i % 13 == 0 else [] for i in range(n)]

    batch = evaluate_policy(policy, columns, pd, ids, flags, stop_switch=stop)

    for i in range(n):
        one = evaluate_policy(
            policy,
            {k: v[i : i + 1] for k, v in columns.items()},
            pd[i : i + 1],
            ids[i : i + 1],
            flags[i : i + 1],
            stop_switch=stop,
        )
        assert one.outcome[0] == batch.outcome[i], i
        assert one.recommendation[0] == batch.recommendation[i], i
        assert one.band[0] == batch.band[i], i
        assert one.terms[0] == batch.terms[i], i
        assert one.rules_fired[0] == batch.rules_fired[i], i
        assert one.referral_reasons[0] == batch.referral_reasons[i], i
    assert len({tuple(r) for r in batch.rules_fired}) > 20  # the rules do vary
