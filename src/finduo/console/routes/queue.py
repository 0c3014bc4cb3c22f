"""The queue: open cases by priority (raised by waiting time), with filters.

Ranking and counts come from :class:`finduo.review.ReviewService`, the same
queue the CLI and the API show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from finduo.console.labels import referral_label
from finduo.console.pages import Page, page
from finduo.review import STATUS_CHOICES, QueueFilter, QueueItem, ReviewService
from finduo.store.records import Case, CaseStatus

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


def _row(store: Any, item: QueueItem, amount_field: str) -> QueueRow:
    full = store.get_case(item.case.id)
    value = (full.application or {}).get(amount_field)
    amount = float(value) if isinstance(value, int | float) else None
    return QueueRow(
        case=item.case,
        priority=item.priority,
        waited_hours=item.waiting.total_seconds() / 3600.0,
        pd=item.pd,
        band=item.band,
        amount=amount,
    )


@router.get("/queue", response_class=HTMLResponse)
def queue(
    p: PageDep,
    reason: str = "",
    band: str = "",
    waited: str = "",
    status: str = "open",
) -> HTMLResponse:
    """Open cases, highest priority first; filters by reason, band, waiting time.

    ``status`` shows resolved or superseded cases (or any) instead, the same
    statuses ``finduo cases list --status`` and ``GET /v1/cases`` take.
    """
    p.require("read_cases")
    hours = int(waited) if waited.isdigit() else None
    flashes: list[tuple[str, str]] = []
    if status not in STATUS_CHOICES:
        flashes.append(
            (
                "error",
                p.gettext("%(value)s is not a case status; showing open cases.")
                % {"value": status},
            )
        )
        status = "open"
    store = p.state.store
    service = ReviewService(store)
    now = datetime.now(UTC)
    everything = service.queue(QueueFilter(limit=0), now=now)
    view = service.queue(
        QueueFilter(
            status=None if status == "any" else cast(CaseStatus, status),
            referral_reason=reason or None,
            band=band or None,
            min_waiting=timedelta(hours=hours) if hours else None,
            limit=SHOWN,
        ),
        now=now,
    )
    amount_field = _amount_field(p)
    lang = p.language
    return p.render(
        "queue.html",
        422 if flashes else 200,
        page="queue",
        flashes=flashes,
        rows=[_row(store, item, amount_field) for item in view.items],
        matching=view.total,
        total_open=everything.total,
        contest_count=everything.by_reason.get("contest", 0),
        reason_counts=sorted(everything.by_reason.items()),
        band_counts=sorted(everything.by_band.items()),
        waited_options=[(h, p.fmt.hours(h)) for h in WAITED_OPTIONS],
        filters={"reason": reason, "band": band, "waited": hours, "status": status},
        status_choices=STATUS_CHOICES,
        referral_label=lambda code: referral_label(code, lang),
    )


def _amount_field(p: Page) -> str:
    policy = getattr(p.state.engine, "policy", None)
    return str(getattr(policy, "amount_field", "credit_amount"))


__all__ = ["QueueRow", "router"]
