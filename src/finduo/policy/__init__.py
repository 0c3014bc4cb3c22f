"""Policy: the decision strategy as versioned data (YAML), validated on load."""

from finduo.policy.evaluate import PolicyResult, evaluate_policy
from finduo.policy.loader import (
    LoadedPolicy,
    load_policy,
    parse_policy,
    policy_version,
    shipped_policy,
)
from finduo.policy.schema import Operator, Policy, Rule

__all__ = [
    "LoadedPolicy",
    "Operator",
    "Policy",
    "PolicyResult",
    "Rule",
    "evaluate_policy",
    "load_policy",
    "parse_policy",
    "policy_version",
    "shipped_policy",
]
