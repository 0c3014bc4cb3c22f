"""The terms an approval of a case carries: given ones over the band's own.

A reviewer who approves a referred application grants credit on terms. Each
front end (CLI, API, console) hands over what the reviewer changed — all of
the terms, some of them or none — and :func:`approval_terms` fills the rest
from the decision's band under the policy version that made the decision.
A band that grants no credit (limit 0) cannot fill them: such an approval
must name a credit limit and the payment methods.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from finduo.decisions.model import Terms
from finduo.errors import PolicyError
from finduo.policy.loader import SHIPPED as SHIPPED_POLICIES
from finduo.policy.loader import LoadedPolicy, parse_policy, shipped_policy
from finduo.store import Case, Store
from finduo.store.records import InvalidInput

logger = logging.getLogger(__name__)

# The fields of Terms a reviewer may change (discount_pct stays the band's).
TERM_FIELDS = ("payment_methods", "credit_limit", "deposit", "max_term_months")
# Longest term of an approval when the decision has no band terms to start from.
DEFAULT_MAX_TERM_MONTHS = 12


def decision_policy(store: Store, version: str) -> LoadedPolicy | None:
    """The policy whose version (``<name>-<hash12>``) is ``version``, if known.

    Looks at the policy texts the store keeps (the engine saves the text of
    every policy it decides with) and at the policies shipped with finduo.
    """
    for stored in store.list_policy_versions():
        if stored.version_label != version:
            continue
        try:
            loaded = parse_policy(stored.yaml_text, f"store:{stored.content_hash[:12]}")
        except PolicyError as exc:
            logger.warning("stored policy %s unreadable: %s", stored.content_hash, exc)
            continue
        if loaded.version == version:
            return loaded
    for name in SHIPPED_POLICIES:
        loaded = shipped_policy(name)
        if loaded.version == version:
            return loaded
    return None


def band_terms(store: Store, case: Case) -> Terms | None:
    """The terms of the case's decision band, sized by the amount applied for.

    The terms the decision carries when it has any (the engine sets them on
    approvals), else those of its band under its policy version. None when
    the case has no decision, the decision's policy is unknown, or the
    application data (the amount) has been erased.
    """
    decision = case.decision
    if decision is None:
        return None
    if decision.terms is not None:
        return decision.terms
    loaded = decision_policy(store, decision.policy_version)
    if loaded is None:
        return None
    policy = loaded.policy
    band = next((b for b in policy.bands if b.name == decision.band), None)
    amount = (case.application or {}).get(policy.amount_field)
    if band is None or isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    spec = band.terms
    return Terms(
        payment_methods=list(spec.payment_methods),
        credit_limit=spec.credit_limit.of(float(amount)),
        deposit=spec.deposit.of(float(amount)),
        max_term_months=spec.max_term_months,
        discount_pct=spec.discount_pct,
    )


def approval_terms(
    store: Store, case: Case, given: Terms | Mapping[str, Any] | None
) -> Terms | None:
    """Terms to store with an approval of ``case``.

    Parameters
    ----------
    store : Store
        Where the decision's policy text is kept.
    case : Case
        The case approved, as :meth:`Store.get_case` returns it.
    given : Terms, mapping or None
        Complete terms (kept as they are), some of the :data:`TERM_FIELDS`
        (the others come from the band), or None (all from the band).

    Returns
    -------
    Terms or None
        None only for a case without a decision (an early warning) and no
        terms given.

    Raises
    ------
    InvalidInput
        ``field="terms"`` when the band grants no credit and the credit limit
        or the payment methods are missing, or when the merged terms are
        invalid.
    """
    if isinstance(given, Terms):
        return given
    changed = {k: v for k, v in (given or {}).items() if v is not None}
    unknown = sorted(set(changed) - set(TERM_FIELDS))
    if unknown:
        raise InvalidInput(
            f"terms may change {', '.join(TERM_FIELDS)}; got {', '.join(unknown)}",
            field="terms",
            value=unknown,
        )
    if case.decision is None and not changed:
        return None
    base = band_terms(store, case)
    if (base is None or base.credit_limit <= 0) and not (
        "credit_limit" in changed and "payment_methods" in changed
    ):
        decision = case.decision
        why = (
            "it has no decision"
            if decision is None
            else f"the terms of band {decision.band} under policy "
            f"{decision.policy_version} are unknown"
            if base is None
            else f"band {decision.band} grants no credit"
        )
        raise InvalidInput(
            f"{why}, so an approval of case {case.id} needs its terms: a credit "
            "limit and the payment methods (deposit and longest term optional); "
            "got " + (", ".join(sorted(changed)) or "none"),
            field="terms",
            case_id=case.id,
        )
    values: dict[str, Any] = (
        base.model_dump()
        if base is not None
        else {"deposit": 0.0, "max_term_months": DEFAULT_MAX_TERM_MONTHS}
    )
    values.update(changed)
    try:
        return Terms.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))} {e['msg']}; got {e.get('input')!r}"
            for e in exc.errors()
        )
        raise InvalidInput(f"terms are invalid: {problems}", field="terms") from exc


__all__ = [
    "DEFAULT_MAX_TERM_MONTHS",
    "TERM_FIELDS",
    "approval_terms",
    "band_terms",
    "decision_policy",
]
