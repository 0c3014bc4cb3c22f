"""Decision pages: everything about one decision, its audit trail, the letter
for the applicant with counterfactuals, and the applicant's contest."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from finduo.console.i18n import normalise_language
from finduo.console.letter import compose
from finduo.console.pages import N_, Page, page
from finduo.console.queueing import CONTEST_PRIORITY
from finduo.console.routes.cases import _helpers, application_items, reasons_chart
from finduo.errors import ConflictError, DataError, NotFoundError
from finduo.store.records import Case

logger = logging.getLogger(__name__)
router = APIRouter()
PageDep = Annotated[Page, Depends(page)]

# Payload keys shown in the audit trail (references only, never personal data),
# with their names on the page; the values of the first four are our words.
_SHOWN_KEYS = {
    "outcome": N_("Outcome"),
    "recommendation": N_("Recommendation"),
    "kind": N_("Kind"),
    "judgement": N_("First judgement"),
    "is_override": N_("Override"),
    "reason_code": N_("Reason code"),
    "band": N_("Band"),
    "case_id": N_("Case"),
}
_TRANSLATED_VALUES = {"outcome", "recommendation", "kind", "judgement"}
SUBJECT_WORDS = (N_("decision"), N_("case"))


def _summary(payload: dict[str, Any], gettext: Callable[[str], str]) -> str:
    """The shown payload keys as ``name: value`` in the page's language."""
    parts = []
    for key, name in _SHOWN_KEYS.items():
        value = payload.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool):
            text = gettext("yes") if value else gettext("no")
        elif key in _TRANSLATED_VALUES:
            text = gettext(str(value))
        else:
            text = str(value)[:8] if key == "case_id" else str(value)
        parts.append(f"{gettext(name)}: {text}")
    return ", ".join(parts)


def _cases_of(store: Any, decision_id: str) -> list[Case]:
    """Every case about the decision: its referral and any contest."""
    ids: list[str] = []
    for event in store.audit_events(subject_type="decision", subject_id=decision_id):
        case_id = event.payload.get("case_id")
        if isinstance(case_id, str) and case_id not in ids:
            ids.append(case_id)
    return [store.get_case(i) for i in ids]


def _trail(
    store: Any, decision_id: str, cases: list[Case], gettext: Callable[[str], str]
) -> list[dict[str, Any]]:
    events = list(store.audit_events(subject_type="decision", subject_id=decision_id))
    for case in cases:
        events += store.audit_events(subject_type="case", subject_id=case.id)
    events.sort(key=lambda e: e.seq)
    return [
        {
            "seq": e.seq,
            "ts": e.ts,
            "actor": e.actor,
            "action": e.action,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "summary": _summary(e.payload, gettext),
        }
        for e in events
    ]


@router.get("/decisions", response_class=HTMLResponse, response_model=None)
def decisions(p: PageDep, q: str = "") -> HTMLResponse | RedirectResponse:
    """The latest decisions; find one by decision or application id."""
    p.require("read_decisions")
    store = p.state.store
    q = q.strip()
    if q:
        try:
            store.get_decision(q)
            return p.redirect(f"decisions/{q}")
        except NotFoundError:
            found = store.decisions_for_application(q)
            if len(found) == 1:
                return p.redirect(f"decisions/{found[0].decision_id}")
            latest = list(reversed(found))
    else:
        since = datetime.now(UTC) - timedelta(days=7)
        latest = list(reversed(store.list_decisions(since=since, limit=100_000)))[:50]
    return p.render("decisions.html", page="decisions", decisions=latest, q=q)


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision_page(
    p: PageDep, decision_id: str, letter: str | None = None
) -> HTMLResponse:
    """One decision: data, reasons, audit trail, letter with counterfactuals."""
    p.require("read_decisions")
    store = p.state.store
    stored = store.get_stored_decision(decision_id)
    decision = stored.decision
    cases = _cases_of(store, decision_id)
    resolution = next((c.resolution for c in cases if c.resolution), None)
    counterfactuals = []
    final = resolution.outcome if resolution else decision.outcome
    if final != "approve" and stored.application:
        try:
            counterfactuals = p.state.explainer().counterfactuals(stored.application)
        except DataError as exc:
            logger.warning("no counterfactuals for %s: %s", decision_id, exc)
    letter_lang = normalise_language(letter or p.language)
    open_contest = next(
        (c for c in cases if c.kind == "contest" and c.status == "open"), None
    )
    return p.render(
        "decision.html",
        page="decisions",
        decision=decision,
        application=stored.application,
        application_items=application_items(p, stored.application),
        cases=cases,
        audit=_trail(store, decision_id, cases, p.gettext),
        letter=compose(decision, letter_lang, resolution, counterfactuals),
        letter_lang=letter_lang,
        reasons_chart=reasons_chart(p, decision),
        can_contest=p.can("contest"),
        contestable=decision.outcome != "refer",
        open_contest=open_contest,
        **_helpers(p),
    )


@router.post("/decisions/{decision_id}/contest", response_model=None)
def contest(
    p: PageDep,
    decision_id: str,
    statement: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Record the applicant's contest of an automated decision: a priority case."""
    p.check_csrf(csrf_token)
    user = p.require("contest")
    store = p.state.store
    decision = store.get_decision(decision_id)
    if decision.outcome == "refer":
        raise ConflictError(
            p.gettext(
                "A referred decision was made by a person; it cannot be contested as "
                "automated."
            )
        )
    if any(
        c.kind == "contest" and c.status == "open"
        for c in _cases_of(store, decision_id)
    ):
        raise ConflictError(p.gettext("A contest of this decision is already open."))
    case = store.open_case(
        user.name,
        kind="contest",
        decision_id=decision_id,
        priority=CONTEST_PRIORITY,
        referral_reasons=["contest"],
        details={"statement": statement.strip()},
    )
    store.record_event(
        user.name, "decision.contested", "decision", decision_id, {"case_id": case.id}
    )
    return p.redirect(f"cases/{case.id}", done="contested")


__all__ = ["router"]
