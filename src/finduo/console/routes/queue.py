"""The queue: open cases by priority (raised by waiting time), with filters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from finduo.console.labels import referral_label
from finduo.console.pages import Page, page
from finduo.console.queueing import effective_priority, waited_hours
from finduo.store.records import Case, CaseFilter

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]

SHOWN = 100
WAITED_OPTIONS = (1, 4, 24, 72)


@dataclass(frozen=True)
class QueueRow:
    case: Case
    priority: float
    waited_hours: float
    pd: float | None
    band: str | None
    amount: float | None


def open_queue(store: Any) -> list[QueueRow]:
    """Every open case, highest effective priority first."""
    rows = []
    for case in store.list_cases(CaseFilter(status="open", limit=5000)):
        hours = waited_hours(case.created_at)
        decision = case.decision
        rows.append(
            QueueRow(
                case=case,
                priority=effective_priority(case.priority, hours),
                waited_hours=hours,
                pd=decision.pd if decision else None,
                band=decision.band if decision else None,
                amount=None,
            )
        )
    rows.sort(key=lambda r: (-r.priority, r.case.created_at, r.case.id))
    return rows


def _with_amount(store: Any, row: QueueRow, amount_field: str) -> QueueRow:
    full = store.get_case(row.case.id)
    value = (full.application or {}).get(amount_field)
    amount = float(value) if isinstance(value, int | float) else None
    return QueueRow(row.case, row.priority, row.waited_hours, row.pd, row.band, amount)


@router.get("/queue", response_class=HTMLResponse)
def queue(
    p: PageDep,
    reason: str = "",
    band: str = "",
    waited: int | None = None,
) -> HTMLResponse:
    """Open cases, highest priority first; filters by reason, band, waiting time."""
    p.require("read_cases")
    everything = open_queue(p.state.store)
    reason_counts = Counter(r for row in everything for r in row.case.referral_reasons)
    band_counts = Counter(row.band for row in everything if row.band)
    rows = [
        row
        for row in everything
        if (not reason or reason in row.case.referral_reasons)
        and (not band or row.band == band)
        and (waited is None or row.waited_hours >= waited)
    ]
    amount_field = _amount_field(p)
    shown = [_with_amount(p.state.store, row, amount_field) for row in rows[:SHOWN]]
    lang = p.language
    return p.render(
        "queue.html",
        page="queue",
        rows=shown,
        total_open=len(everything),
        contest_count=sum(1 for r in everything if r.case.kind == "contest"),
        reason_counts=sorted(reason_counts.items()),
        band_counts=sorted(band_counts.items()),
        waited_options=[(h, p.fmt.hours(h)) for h in WAITED_OPTIONS],
        filters={"reason": reason, "band": band, "waited": waited},
        referral_label=lambda code: referral_label(code, lang),
    )


def _amount_field(p: Page) -> str:
    engine = p.state.engine
    policy = getattr(engine, "policy", None)
    return str(getattr(policy, "amount_field", "credit_amount"))


__all__ = ["QueueRow", "open_queue", "router"]
