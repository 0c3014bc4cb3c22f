"""The case page and its forms: resolve, and the first judgement of blind review."""

from __future__ import annotations

import logging
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from finduo.console.charts import Bar, hbar_chart
from finduo.console.explainer import Explainer
from finduo.console.labels import field_label, referral_label, value_text
from finduo.console.pages import Page, page
from finduo.console.queueing import waited_hours
from finduo.decisions.model import Decision, Reason, Terms
from finduo.errors import DataError
from finduo.explain import repaid_share
from finduo.review import ReviewService
from finduo.review.terms import band_terms
from finduo.store.records import Case, ResolutionOutcome

logger = logging.getLogger(__name__)
router = APIRouter()
PageDep = Annotated[Page, Depends(page)]

PAYMENT_METHODS = ("invoice", "direct_debit", "card", "prepayment")
BLIND_REVIEW_KEY = "console.blind_review"  # comma-separated reviewer names (a team)


def blind_reviewers(store: Any) -> set[str]:
    raw = store.get_setting(BLIND_REVIEW_KEY) or ""
    return {name.strip() for name in raw.split(",") if name.strip()}


def reason_text(reason: Reason, language: str) -> str:
    return reason.text.get(language) or reason.text.get("en") or reason.code


def reasons_chart(p: Page, decision: Decision | None) -> Any:
    if decision is None or not decision.reasons:
        return ""
    bars = [
        Bar(
            reason_text(r, p.language),
            r.contribution,
            ("+" if r.contribution >= 0 else "") + p.fmt.number(r.contribution, 2),
        )
        for r in decision.reasons
    ]
    return hbar_chart(bars, p.gettext("Contributions of the reasons to the risk"))


def application_items(
    p: Page, application: dict[str, Any] | None
) -> list[tuple[str, str]]:
    """The applicant's data in a readable order; protected characteristics hidden."""
    if not application:
        return []
    policy = getattr(p.state.engine, "policy", None)
    protected = set(getattr(policy, "protected", ()))
    items = []
    for key, value in application.items():
        if key in protected:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown = p.fmt.number(value, 0 if float(value).is_integer() else 2)
        else:
            shown = value_text(value)
        items.append((key, shown))
    return items


def _default_terms(p: Page, case: Case) -> Terms | None:
    """The machine's terms, else its band's (a plain approval's), else those asked."""
    decision, application = case.decision, case.application
    if decision is not None and decision.terms is not None:
        return decision.terms
    from_band = band_terms(p.state.store, case)
    if from_band is not None and from_band.credit_limit > 0:
        return from_band
    if not application:
        return None
    policy = getattr(p.state.engine, "policy", None)
    amount = application.get(str(getattr(policy, "amount_field", "credit_amount")))
    months = application.get("duration_months")
    if not isinstance(amount, int | float) or not isinstance(months, int):
        return None
    return Terms(
        payment_methods=["direct_debit"],
        credit_limit=float(amount),
        deposit=0.0,
        max_term_months=months,
    )


def _helpers(p: Page) -> dict[str, Any]:
    lang = p.language
    codes = {rc.code: rc for rc in p.state.store.list_reason_codes(active_only=False)}
    return {
        "field_label": lambda name: field_label(name, lang),
        "referral_label": lambda code: referral_label(code, lang),
        "value_text": lambda v: (
            p.fmt.number(v, 0 if float(v).is_integer() else 2)
            if isinstance(v, int | float) and not isinstance(v, bool)
            else value_text(v)
        ),
        "reason_text": lambda r: reason_text(r, lang),
        "reason_code_label": lambda c: codes[c].label(lang) if c in codes else c,
    }


def _similar(p: Page, application: dict[str, Any] | None) -> dict[str, Any]:
    if not application:
        return {
            "similar": [],
            "similar_missing": p.gettext("The applicant's data has been erased."),
        }
    try:
        explainer: Explainer = p.state.explainer()
        neighbours = explainer.nearest(application, 10)
    except (DataError, OSError) as exc:
        logger.warning("similar customers unavailable: %s", exc)
        return {"similar": [], "similar_missing": str(exc)}
    if not neighbours:
        return {"similar": [], "similar_missing": explainer.why_not}
    share = repaid_share(neighbours) or 0.0
    attributes = explainer.similar.key_attributes if explainer.similar else []
    return {
        "similar": neighbours,
        "similar_self": {a: application.get(a) for a in attributes},
        "similar_repaid": round(share * len(neighbours)),
        "similar_attributes": explainer.similar.key_attributes
        if explainer.similar
        else [],
    }


def render_case(
    p: Page,
    case_id: str,
    status_code: int = 200,
    flashes: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    user = p.require("read_cases")
    store = p.state.store
    case = store.get_case(case_id)
    decision = case.decision
    can_resolve = p.can("resolve") and case.status == "open"
    blind_pending = (
        can_resolve
        and user.name in blind_reviewers(store)
        and case.id not in p.session.judged
    )
    values: dict[str, Any] = {
        "page": "queue",
        "case": case,
        "decision": decision,
        "application": case.application,
        "application_items": application_items(p, case.application),
        "waited_hours": waited_hours(case.created_at, case.resolved_at),
        "can_resolve": can_resolve,
        "blind_pending": blind_pending,
        "reason_codes": store.list_reason_codes(),
        "payment_methods": PAYMENT_METHODS,
        "default_terms": _default_terms(p, case),
        "flashes": flashes or [],
        **_helpers(p),
    }
    if not blind_pending:
        values["reasons_chart"] = reasons_chart(p, decision)
        values.update(_similar(p, case.application))
    return p.render("case.html", status_code, **values)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(p: PageDep, case_id: str) -> HTMLResponse:
    """One case: application, the machine's view, reasons, similar customers."""
    return render_case(p, case_id)


@router.post("/cases/{case_id}/first-judgement", response_model=None)
def first_judgement(
    p: PageDep,
    case_id: str,
    judgement: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Blind review: the reviewer's own judgement, before the machine's is shown."""
    p.check_csrf(csrf_token)
    user = p.require("resolve")
    if judgement not in ("approve", "decline"):
        raise DataError(f"judgement must be approve or decline; got {judgement!r}.")
    case = p.state.store.get_case(case_id)
    p.state.store.record_event(
        user.name, "case.first_judgement", "case", case.id, {"judgement": judgement}
    )
    judged = dict(list(p.session.judged.items())[-20:])
    judged[case.id] = judgement
    p.session.judged = judged
    p.issue_cookie = True
    return p.redirect(f"cases/{case.id}", done="judged")


def _terms(methods: list[str], limit: str, deposit: str, months: str) -> Terms:
    def number(text: str, field: str) -> float:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise DataError(
                f"{field} must be a number; got {text!r}.", field=field
            ) from None

    try:
        return Terms(
            payment_methods=methods,  # type: ignore[arg-type]
            credit_limit=number(limit, "credit_limit"),
            deposit=number(deposit or "0", "deposit"),
            max_term_months=int(number(months, "max_term_months")),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise DataError(
            f"{field}: {first['msg']}; got {first.get('input')!r}.", field=field
        ) from None


@router.post("/cases/{case_id}/resolve", response_model=None)
def resolve(
    p: PageDep,
    case_id: str,
    action: Annotated[str, Form()] = "",
    reason_code: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    payment_methods: Annotated[list[str] | None, Form()] = None,
    credit_limit: Annotated[str, Form()] = "",
    deposit: Annotated[str, Form()] = "",
    max_term_months: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Resolve a case: approve, decline or approve with changed terms, with a reason."""
    p.check_csrf(csrf_token)
    user = p.require("resolve")
    store = p.state.store
    try:
        if action not in ("approve", "approve_changed", "decline"):
            raise DataError(
                p.gettext("Choose approve, approve with changed terms or decline.")
            )
        if not reason_code:
            raise DataError(p.gettext("Choose a reason code."))
        terms = None
        if action == "approve_changed":
            terms = _terms(
                payment_methods or [], credit_limit, deposit, max_term_months
            )
        outcome: ResolutionOutcome = "decline" if action == "decline" else "approve"
        first = cast(ResolutionOutcome | None, p.session.judged.get(case_id))
        if first is None and user.name in blind_reviewers(store):
            raise DataError(p.gettext("Record your first judgement before resolving."))
        # The shared rules: a plain approval takes its band's terms,
        # reason code OTHER needs a comment (shown as a form error).
        resolution = ReviewService(store).resolve(
            case_id,
            outcome=outcome,
            reason_code=reason_code,
            reviewer=user.name,
            comment=comment.strip() or None,
            terms=terms,
            first_judgement=first,
        )
    except DataError as exc:
        return render_case(p, case_id, 422, flashes=[("error", exc.message)])
    if case_id in p.session.judged:
        p.session.judged.pop(case_id)
        p.issue_cookie = True
    logger.info("case %s resolved, override=%s", case_id, resolution.is_override)
    return p.redirect(
        f"cases/{case_id}", done="override" if resolution.is_override else "resolved"
    )


__all__ = [
    "BLIND_REVIEW_KEY",
    "application_items",
    "blind_reviewers",
    "reasons_chart",
    "router",
]
