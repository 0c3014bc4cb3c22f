"""Applying a policy to scored applications.

Two implementations of the same rules: a vectorised one for batches, and a
plain-Python one for a single application (a request: numpy calls on arrays
of length one cost more than the decision). Both are tested equal on every
combination of rule, value and cut-off, so one request and a batch of
millions are decided alike.

Order of precedence, per application:

1. a **decline rule** fires -> decline;
2. a **flag** from the features (value unseen in training, outside the
   training range, missing) -> refer: the ``pd`` rests on a value the model
   has not learnt, so it can neither approve nor decline on its own;
3. ``pd >= decline_from`` -> decline ("decline wins" over refer rules and the
   grey zone: a reviewer is not asked to approve what the score declines);
4. any other **referral reason** -> refer: a refer rule, ``pd`` in the grey
   zone ``[approve_below, decline_from)``;
5. else approve, with the terms of the ``pd``'s band.

The random **quality sample** (drawn from a hash of the application id, so it
does not depend on the batch or its order) refers an application that the
machine would otherwise approve or decline on its own. The **stop switch**,
when on, turns every outcome into a referral.

The recommendation is the machine's own approve/decline view: decline when
``pd >= decline_cutoff`` or a decline rule fired, else approve.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import numbers
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from finduo.decisions.model import Terms
from finduo.policy.schema import ORDERING, Operator, Policy, Rule

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

GREY_ZONE = "grey_zone"
QUALITY_SAMPLE = "quality_sample"
STOP_SWITCH = "stop_switch"


@dataclass(frozen=True)
class PolicyResult:
    """What the policy makes of ``n`` scored applications (arrays of length n)."""

    outcome: list[str]
    recommendation: list[str]
    band: list[str]
    terms: list[Terms | None]
    rules_fired: list[list[str]]
    referral_reasons: list[list[str]]


def quality_draw(application_id: str, salt: str) -> float:
    """A uniform number in [0, 1) fixed by the application id and the salt."""
    digest = hashlib.sha256(f"{salt}:{application_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _as_float(values: npt.NDArray[Any]) -> FloatArray:
    if values.dtype.kind in "iufb":
        return values.astype(np.float64)
    out = np.full(values.shape[0], np.nan)
    for i, value in enumerate(values):
        if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
            out[i] = float(value)
    return out


def _missing(values: npt.NDArray[Any]) -> BoolArray:
    if values.dtype.kind == "f":
        return np.asarray(np.isnan(values), dtype=bool)
    if values.dtype.kind in "iub":
        return np.zeros(values.shape[0], dtype=bool)
    return np.fromiter(
        (v is None or (isinstance(v, float) and v != v) for v in values),
        dtype=bool,
        count=values.shape[0],
    )


# A comparison operator of a rule, for one number or an array of them.
_COMPARE = {
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
}


def rule_fires(rule: Rule, values: npt.NDArray[Any]) -> BoolArray:
    """Where ``rule`` holds for the field ``values`` (n,); a missing value never fires.

    Parameters
    ----------
    rule : Rule
        The rule (field, operator, value).
    values : ndarray, shape (n,)
        The applications' values of ``rule.field``.

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    n = values.shape[0]
    present = ~_missing(values)
    op, target = rule.op, rule.value
    numeric_target = isinstance(target, (int, float))
    if op in ORDERING or (op in (Operator.EQ, Operator.NE) and numeric_target):
        x = _as_float(values)
        t = float(target)  # type: ignore[arg-type]
        with np.errstate(invalid="ignore"):
            result = _COMPARE[op](x, t)
        return np.asarray(result & present & ~np.isnan(x), dtype=bool)
    if op in (Operator.EQ, Operator.NE):
        equal = np.fromiter((v == target for v in values), dtype=bool, count=n)
        return (equal if op is Operator.EQ else ~equal) & present
    members = set(target) if isinstance(target, list) else {target}
    inside = np.fromiter((v in members for v in values), dtype=bool, count=n)
    return (inside if op is Operator.IN else ~inside) & present


def _terms(policy: Policy, band_index: int, amount: float) -> Terms:
    spec = policy.bands[band_index].terms
    return Terms(
        payment_methods=list(spec.payment_methods),
        credit_limit=spec.credit_limit.of(amount),
        deposit=spec.deposit.of(amount),
        max_term_months=spec.max_term_months,
        discount_pct=spec.discount_pct,
    )


def band_index(policy: Policy, pd: FloatArray) -> npt.NDArray[np.intp]:
    """Index of each ``pd``'s band in ``policy.bands`` (upper bounds exclusive)."""
    bounds = np.array([band.max_pd for band in policy.bands])
    found = np.searchsorted(bounds, pd, side="right")
    return np.minimum(found, len(bounds) - 1)


def evaluate_policy(
    policy: Policy,
    columns: Mapping[str, npt.NDArray[Any]],
    pd: FloatArray,
    application_ids: Sequence[str],
    flags: Sequence[Sequence[str]] | None = None,
    *,
    stop_switch: bool = False,
) -> PolicyResult:
    """Decide ``n`` scored applications under ``policy``.

    Parameters
    ----------
    policy : Policy
        The validated policy.
    columns : mapping of field name to ndarray, shape (n,)
        The applications' values of every field a rule names and of
        ``policy.amount_field``.
    pd : ndarray of float, shape (n,)
        Calibrated probabilities of default.
    application_ids : sequence of str, length n
        Ids; they seed the quality sample.
    flags : sequence of sequences of str, length n, optional
        Referral reasons found by the features (unseen value, out of range).
    stop_switch : bool, default False
        When True every application is referred.

    Returns
    -------
    PolicyResult
    """
    pd = np.asarray(pd, dtype=np.float64)
    n = pd.shape[0]
    flags = flags if flags is not None else [[] for _ in range(n)]
    if len(application_ids) != n or len(flags) != n:
        raise ValueError(
            f"pd, application_ids and flags must have the same length; got "
            f"{n}, {len(application_ids)}, {len(flags)}"
        )

    if n == 1:
        return _evaluate_one(
            policy,
            {name: np.asarray(values)[0] for name, values in columns.items()},
            float(pd[0]),
            application_ids[0],
            list(flags[0]),
            stop_switch,
        )

    fired: list[list[str]] = [[] for _ in range(n)]
    refer_rules: list[list[str]] = [[] for _ in range(n)]
    declined_by_rule = np.zeros(n, dtype=bool)
    for rule in policy.rules:
        hits = np.flatnonzero(rule_fires(rule, np.asarray(columns[rule.field])))
        for hit in hits:
            fired[hit].append(rule.id)
            if rule.action == "refer":
                refer_rules[hit].append(f"rule:{rule.id}")
        if rule.action == "decline":
            declined_by_rule[hits] = True

    cut = policy.cutoffs
    grey = (pd >= cut.approve_below) & (pd < cut.decline_from)
    share = policy.quality_sample.share
    sampled = np.zeros(n, dtype=bool)
    if share > 0:
        salt = policy.quality_sample.salt
        draws = np.fromiter(
            (quality_draw(a, salt) for a in application_ids), dtype=float, count=n
        )
        sampled = draws < share

    bands = band_index(policy, pd)
    amounts = columns.get(policy.amount_field)
    outcome: list[str] = []
    referral: list[list[str]] = []
    terms: list[Terms | None] = []
    for i in range(n):
        decided, reasons = _outcome(
            bool(declined_by_rule[i]),
            list(flags[i]),
            refer_rules[i],
            bool(pd[i] >= cut.decline_from),
            bool(grey[i]),
            bool(sampled[i]),
            stop_switch,
        )
        outcome.append(decided)
        referral.append(reasons)
        if decided == "approve":
            amount = float(amounts[i]) if amounts is not None else 0.0
            terms.append(_terms(policy, int(bands[i]), amount))
        else:
            terms.append(None)

    recommend_decline = (pd >= cut.decline_cutoff) | declined_by_rule
    return PolicyResult(
        outcome=outcome,
        recommendation=["decline" if d else "approve" for d in recommend_decline],
        band=[policy.bands[int(b)].name for b in bands],
        terms=terms,
        rules_fired=fired,
        referral_reasons=referral,
    )


def _outcome(
    declined_by_rule: bool,
    flags: list[str],
    refer_rules: list[str],
    declines: bool,
    grey: bool,
    sampled: bool,
    stop_switch: bool,
) -> tuple[str, list[str]]:
    """Outcome and referral reasons of one application (the precedence above)."""
    reasons: list[str]
    if declined_by_rule:
        decided, reasons = "decline", []
    elif flags:
        decided, reasons = "refer", [*flags, *refer_rules]
    elif declines:
        decided, reasons = "decline", []
    else:
        reasons = [*refer_rules, *([GREY_ZONE] if grey else [])]
        decided = "refer" if reasons else "approve"
    if decided != "refer" and sampled and not declined_by_rule:
        decided, reasons = "refer", [QUALITY_SAMPLE]
    if stop_switch:
        decided, reasons = "refer", [STOP_SWITCH, *reasons]
    return decided, reasons


def _real(value: Any) -> float:
    """A value as a number for an ordering rule; NaN when it is none."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        return float(value)
    return math.nan


def rule_holds(rule: Rule, value: Any) -> bool:
    """Whether ``rule`` holds for one value: :func:`rule_fires` for one element."""
    if value is None or (isinstance(value, float) and value != value):
        return False
    op, target = rule.op, rule.value
    if op in ORDERING or (
        op in (Operator.EQ, Operator.NE) and isinstance(target, (int, float))
    ):
        x, t = _real(value), float(target)  # type: ignore[arg-type]
        if x != x:
            return False
        return bool(_COMPARE[op](x, t))
    if op in (Operator.EQ, Operator.NE):
        return bool(value == target) == (op is Operator.EQ)
    members = set(target) if isinstance(target, list) else {target}
    return (value in members) == (op is Operator.IN)


def _evaluate_one(
    policy: Policy,
    values: Mapping[str, Any],
    pd: float,
    application_id: str,
    flags: list[str],
    stop_switch: bool,
) -> PolicyResult:
    """:func:`evaluate_policy` for one application, in plain Python."""
    fired: list[str] = []
    refer_rules: list[str] = []
    declined_by_rule = False
    for rule in policy.rules:
        if rule_holds(rule, values[rule.field]):
            fired.append(rule.id)
            if rule.action == "refer":
                refer_rules.append(f"rule:{rule.id}")
            else:
                declined_by_rule = True
    cut = policy.cutoffs
    share = policy.quality_sample.share
    sampled = (
        share > 0 and quality_draw(application_id, policy.quality_sample.salt) < share
    )
    decided, reasons = _outcome(
        declined_by_rule,
        flags,
        refer_rules,
        pd >= cut.decline_from,
        cut.approve_below <= pd < cut.decline_from,
        sampled,
        stop_switch,
    )
    band = _band_of(policy, pd)
    terms: Terms | None = None
    if decided == "approve":
        amount = values.get(policy.amount_field)
        terms = _terms(policy, band, float(amount) if amount is not None else 0.0)
    recommend_decline = pd >= cut.decline_cutoff or declined_by_rule
    return PolicyResult(
        outcome=[decided],
        recommendation=["decline" if recommend_decline else "approve"],
        band=[policy.bands[band].name],
        terms=[terms],
        rules_fired=[fired],
        referral_reasons=[reasons],
    )


def _band_of(policy: Policy, pd: float) -> int:
    """:func:`band_index` of one ``pd``."""
    bounds = [band.max_pd for band in policy.bands]
    return min(bisect.bisect_right(bounds, pd), len(bounds) - 1)


def required_fields(policy: Policy) -> set[str]:
    """Application fields the policy reads (rule fields and the amount field)."""
    return {rule.field for rule in policy.rules} | {policy.amount_field}


__all__ = [
    "GREY_ZONE",
    "QUALITY_SAMPLE",
    "STOP_SWITCH",
    "PolicyResult",
    "band_index",
    "evaluate_policy",
    "quality_draw",
    "required_fields",
    "rule_fires",
    "rule_holds",
]
