"""The overview: today and the last 30 days, with charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from finduo.console import stats
from finduo.console.charts import RISK, SAFE, Bar, column_chart, hbar_chart
from finduo.console.pages import Page, page

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]
DAYS = 30
WARN = "#c98a00"


@router.get("/overview", response_class=HTMLResponse)
def overview(p: PageDep) -> HTMLResponse:
    """Volume and rates today and over 30 days; overrides per reviewer and reason."""
    p.require("overview")
    store = p.state.store
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    since_30 = midnight - timedelta(days=DAYS - 1)
    decisions = stats.decisions_since(store, since_30)
    resolutions = stats.resolutions_since(store, since_30)
    periods = [
        {
            "key": "today",
            "title": p.gettext("Today"),
            "stats": stats.period_stats(decisions, resolutions, midnight),
        },
        {
            "key": "30d",
            "title": p.gettext("Last 30 days"),
            "stats": stats.period_stats(decisions, resolutions, since_30),
        },
    ]
    daily = stats.daily_counts(decisions, DAYS, now.date())
    labels = [p.fmt.date(since_30 + timedelta(days=i))[:6] for i in range(DAYS)]
    daily_chart = column_chart(
        labels,
        [
            (p.gettext("approve"), daily["approve"], SAFE),
            (p.gettext("refer"), daily["refer"], WARN),
            (p.gettext("decline"), daily["decline"], RISK),
        ],
        p.gettext("Applications per day and outcome, last 30 days"),
        fmt=lambda v: p.fmt.integer(v),
        label_every=5,
        width=1000,
        height=220,
    )
    by_reviewer = stats.grouped(resolutions, "reviewer")
    by_reason = stats.grouped(resolutions, "reason_code")
    codes = {rc.code: rc for rc in store.list_reason_codes(active_only=False)}

    def code_label(code: str) -> str:
        return codes[code].label(p.language) if code in codes else code

    def rate_bars(groups: list[stats.GroupRate], label: object) -> list[Bar]:
        return [
            Bar(
                label(g.key),  # type: ignore[operator]
                g.rate or 0.0,
                f"{p.fmt.percent(g.rate)} "
                f"({p.fmt.integer(g.overrides)}/{p.fmt.integer(g.resolved)})",
            )
            for g in groups
        ]

    return p.render(
        "overview.html",
        page="overview",
        periods=periods,
        queue=stats.queue_age(store),
        daily_chart=daily_chart,
        by_reviewer=by_reviewer,
        by_reason=by_reason,
        reviewer_chart=hbar_chart(
            rate_bars(by_reviewer, str),
            p.gettext("Override rate per reviewer"),
            label_width=140,
        ),
        reason_chart=hbar_chart(
            rate_bars(by_reason, code_label),
            p.gettext("Override rate per reason code"),
        ),
        reason_code_label=code_label,
    )


__all__ = ["router"]
