"""``finduo cases show`` for an early-warning case: a customer, not an application.

An early-warning case (opened by ``finduo portfolio scan``) has no decision and
no application: its facts are in the case's details — the customer, the
as-of date of the statements, the pd of default within the model's horizon
(the next month), the exposure, the proposed action with the rule that
proposed it, and the reasons. A resolution ``approve`` means the proposed
action is carried out, ``decline`` that it is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from finduo.cli._common import console

if TYPE_CHECKING:
    from finduo.store import Case, Resolution

# What the early-warning policy's actions mean for the collections team.
ACTION_WORDS = {
    "reminder": "friendly reminder before the next due date",
    "payment_plan": "offer a payment plan",
    "limit_freeze": "freeze the credit limit (no further drawings)",
    "case": "a person decides what to do",
}
RESOLUTION_WORDS = {
    "approve": "proposed action carried out",
    "decline": "proposed action not carried out",
}


def reason_rows(text: str) -> list[tuple[str, str]]:
    """``"CODE: text; CODE: text"`` as (code, text) pairs."""
    rows = []
    for part in (text or "").split("; "):
        code, _, words = part.partition(": ")
        if part:
            rows.append((code, words) if words else ("", code))
    return rows


def _amount(value: Any) -> str:
    try:
        return f"NT$ {float(value):,.0f}"
    except (TypeError, ValueError):
        return "unknown"


def show_early_warning(case: Case) -> None:
    """Print an early-warning case in the words of collections (see module doc)."""
    d = case.details
    console.print(
        f"early warning for customer [cyan]{case.subject_id}[/], statements as "
        f"of {d.get('as_of', '?')}"
    )
    pd_ = d.get("pd")
    shown = f"{float(pd_):.3f}" if isinstance(pd_, int | float) else "?"
    console.print(f"pd of default within the model's horizon (next month): {shown}")
    console.print(f"exposure (balance owed): {_amount(d.get('exposure'))}")
    action = str(d.get("action", "?"))
    console.print(
        f"proposed action: [bold]{action}[/] — {ACTION_WORDS.get(action, action)} "
        f"(dunning rule {d.get('rule') or '-'}"
        + (f": {d['rule_description']})" if d.get("rule_description") else ")")
    )
    reasons = Table(title="Reasons (raised the risk most)")
    for column in ("code", "reason"):
        reasons.add_column(column)
    for code, words in reason_rows(str(d.get("reasons") or "")):
        reasons.add_row(code, words)
    console.print(reasons)
    console.print(
        f"scan {d.get('scan', '?')} · model {d.get('model_version', '?')} · "
        f"policy {d.get('policy_version', '?')}"
    )
    res = case.resolution
    if res is not None:
        console.print(
            f"resolved: {RESOLUTION_WORDS.get(res.outcome, res.outcome)} by "
            f"{res.reviewer} ({res.reason_code})"
        )
        if res.comment:
            console.print(f"comment: {res.comment}")
    elif case.status == "open":
        console.print(
            "resolve with --outcome approve (carry out the proposed action) or "
            "--outcome decline (do not)"
        )


def resolved_line(case: Case, resolution: Resolution) -> str:
    """What ``cases resolve`` says of an early-warning case (no machine outcome)."""
    action = str(case.details.get("action", "?"))
    done = RESOLUTION_WORDS.get(resolution.outcome, resolution.outcome)
    return (
        f"case {case.id} resolved: {done} ({action}: "
        f"{ACTION_WORDS.get(action, action)}) by {resolution.reviewer} "
        f"({resolution.reason_code})"
    )


__all__ = ["ACTION_WORDS", "reason_rows", "resolved_line", "show_early_warning"]
