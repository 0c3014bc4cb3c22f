"""Explanations for people: similar past customers and counterfactuals."""

from finduo.explain.counterfactual import (
    GERMAN_CREDIT_ACTIONABLE,
    Actionable,
    Change,
    Counterfactual,
    candidates,
    counterfactuals,
    is_approval,
)
from finduo.explain.similar import Neighbour, SimilarCustomers, repaid_share

__all__ = [
    "GERMAN_CREDIT_ACTIONABLE",
    "Actionable",
    "Change",
    "Counterfactual",
    "Neighbour",
    "SimilarCustomers",
    "candidates",
    "counterfactuals",
    "is_approval",
    "repaid_share",
]
