"""Early-warning policy: validation errors, first matching rule, missing values."""

from __future__ import annotations

import numpy as np
import pytest

from finduo.errors import PolicyError
from finduo.portfolio.policy import (
    ACTIONS,
    NOTHING_OWED,
    parse_early_warning,
    propose_actions,
    rule_labels,
)

POLICY = """
name: test-ew
watch_from_pd: 0.4
case_exposure_from: 1000
rules:
  - id: R1
    action: limit_freeze
    reason_code: HIGH
    when: [{field: pd, op: ge, value: 0.7}]
  - id: R2
    action: payment_plan
    reason_code: ARREARS
    when: [{field: pd, op: ge, value: 0.4}, {field: delinq_cur, op: ge, value: 1}]
"""


def test_first_matching_rule_names_the_action() -> None:
    loaded = parse_early_warning(POLICY)
    pd_ = np.array([0.9, 0.5, 0.5, 0.1, 0.5])
    delinq = np.array([0.0, 2.0, 0.0, 3.0, np.nan])

    action, rule = propose_actions(
        loaded.policy, pd_, {"delinq_cur": delinq, "balance": np.full(5, 5000.0)}
    )

    assert [ACTIONS[a] for a in action] == [
        "limit_freeze",
        "payment_plan",
        "none",
        "none",
        "none",
    ]
    assert rule.tolist() == [0, 1, -1, -1, -1]


def test_customer_owing_nothing_gets_no_action_whatever_the_rules() -> None:
    loaded = parse_early_warning(POLICY)
    pd_ = np.array([0.9, 0.5, 0.9, 0.5])
    delinq = np.array([0.0, 2.0, 0.0, 2.0])
    balance = np.array([0.0, 0.0, 1.0, np.nan])  # nothing, nothing, NT$ 1, unknown

    action, rule = propose_actions(
        loaded.policy, pd_, {"delinq_cur": delinq, "balance": balance}
    )

    assert [ACTIONS[a] for a in action] == [
        "none",
        "none",
        "limit_freeze",
        "payment_plan",
    ]
    assert rule_labels(["R1", "R2"])[rule].tolist() == [
        NOTHING_OWED,
        NOTHING_OWED,
        "R1",
        "R2",
    ]


def test_version_changes_with_content_not_with_comments() -> None:
    a = parse_early_warning(POLICY)
    b = parse_early_warning("# a comment\n" + POLICY)
    c = parse_early_warning(POLICY.replace("0.7", "0.75"))

    assert a.version == b.version != c.version


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("op: ge, value: 0.7", "op: in, value: 0.7"),
            r"rules\.0\.when\.0.*needs a list",
        ),
        (("action: limit_freeze", "action: jail"), r"rules\.0\.action"),
        (("field: delinq_cur", "field: sex"), r"protected characteristic 'sex'"),
        (("watch_from_pd: 0.4", "watch_from_pd: 1.4"), r"watch_from_pd.*1\.4"),
    ],
)
def test_invalid_policy_names_the_field(change: tuple[str, str], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_early_warning(POLICY.replace(*change))


def test_a_rule_on_a_field_the_scan_lacks_is_refused() -> None:
    loaded = parse_early_warning(POLICY)

    with pytest.raises(PolicyError, match=r"\['delinq_cur'\]"):
        propose_actions(loaded.policy, np.array([0.5]), {"balance": np.zeros(1)})
