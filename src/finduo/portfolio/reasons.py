"""Readable reasons for watchlist entries, from per-row contributions.

Contributions (SHAP values on the log-odds) cost far more than a prediction,
so the scan computes them only for customers on the watchlist. Each reason
names the behavioural input, the customer's value and a short English text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# feature -> (reason code, text with {v} as the customer's value)
TEXTS: dict[str, tuple[str, str]] = {
    "delinq_cur": ("ARREARS_NOW", "{v:.0f} month(s) in arrears now"),
    "status_cur": ("STATUS_NOW", "repayment status this month: {v:.0f}"),
    "status_prev": ("STATUS_PREV", "repayment status last month: {v:.0f}"),
    "delinq_worst_3": (
        "ARREARS_WORST_3",
        "worst arrears in 3 months: {v:.0f} month(s)",
    ),
    "delinq_worst_6": (
        "ARREARS_WORST_6",
        "worst arrears in 6 months: {v:.0f} month(s)",
    ),
    "delinq_months_3": (
        "ARREARS_MONTHS_3",
        "in arrears in {v:.0f} of the last 3 months",
    ),
    "delinq_months_6": (
        "ARREARS_MONTHS_6",
        "in arrears in {v:.0f} of the last 6 months",
    ),
    "delinq_trend": ("ARREARS_RISING", "arrears trend over 6 months: {v:+.1f}"),
    "months_since_delinq": ("ARREARS_RECENT", "last in arrears {v:.0f} month(s) ago"),
    "paid_full_status_6": ("FEW_FULL_STATUS", "paid in full in {v:.0f} of 6 months"),
    "no_use_months_6": ("NO_USE", "card unused in {v:.0f} of 6 months"),
    "revolving_months_6": ("REVOLVING", "revolving balance in {v:.0f} of 6 months"),
    "util_cur": ("UTIL_HIGH", "balance at {v:.0%} of the credit limit"),
    "util_mean_6": ("UTIL_MEAN", "average balance {v:.0%} of the limit"),
    "util_max_6": ("UTIL_MAX", "highest balance {v:.0%} of the limit"),
    "util_trend": ("UTIL_RISING", "utilisation trend {v:+.0%}"),
    "pay_ratio_last": ("PAID_LITTLE", "last payment covered {v:.0%} of the bill"),
    "pay_ratio_mean": ("PAID_LITTLE_6", "payments covered {v:.0%} of bills"),
    "full_payments": ("FEW_FULL", "{v:.0f} full payment(s) in 5 months"),
    "min_payments": ("PARTIAL", "{v:.0f} partial payment(s) in 5 months"),
    "missed_payments": ("MISSED", "{v:.0f} missed payment(s) in 5 months"),
    "unpaid_last": ("UNPAID_LAST", "unpaid after last payment: {v:.0%} of limit"),
    "bill_growth": ("BILL_GROWTH", "balance grew by {v:.0%} of the limit"),
    "paid_to_limit": ("PAID_TO_LIMIT", "paid {v:.0%} of the limit in 6 months"),
    "limit_bal": ("LIMIT_LOW", "credit limit only {v:,.0f}"),
    "months_on_book": ("SHORT_HISTORY", "{v:.0f} month(s) of statements"),
    "education": ("EDUCATION", "education code {v:.0f}"),
    "marriage": ("MARRIAGE", "marital status code {v:.0f}"),
    "age": ("AGE", "age {v:.0f}"),
}


_STATUS_WORDS = {
    -2: "card not used",
    -1: "paid in full",
    0: "minimum paid, rest revolving",
}


def _status(value: float, when: str) -> str:
    code = int(value)
    if code in _STATUS_WORDS:
        return f"{when}: {_STATUS_WORDS[code]}"
    return f"{when}: {code} month(s) overdue"


def reason_text(feature: str, value: float) -> str:
    """The English text of one reason."""
    if isinstance(value, float) and math.isnan(value):
        return f"{feature}: no value"
    if feature == "status_cur":
        return _status(value, "this month")
    if feature == "status_prev":
        return _status(value, "last month")
    if feature == "months_since_delinq" and value == 0:
        return "in arrears this month"
    if feature not in TEXTS:
        return f"{feature} = {value:g}"
    return TEXTS[feature][1].format(v=value)


def top_reasons(
    contributions: np.ndarray, X: np.ndarray, names: Sequence[str], k: int
) -> list[str]:
    """Up to ``k`` inputs that raised each row's risk most, as one text per row.

    Parameters
    ----------
    contributions, X : numpy.ndarray, shape (n, m)
        Per-input contributions (> 0 raises risk) and the inputs.
    names : sequence of str, length m
    k : int

    Returns
    -------
    list of str, length n
        ``"CODE: text; CODE: text"``, strongest first; empty when nothing
        raised the risk.
    """
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :k]
    out: list[str] = []
    for row in range(contributions.shape[0]):
        parts = []
        for j in order[row]:
            if contributions[row, j] <= 0:
                break
            code = TEXTS.get(names[j], (names[j].upper(), ""))[0]
            parts.append(f"{code}: {reason_text(names[j], float(X[row, j]))}")
        out.append("; ".join(parts))
    return out


__all__ = ["TEXTS", "reason_text", "top_reasons"]
