"""Monitoring: stability, performance, overrides and fairness of the model in use."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from finduo.console.labels import field_label
from finduo.console.pages import Page, page
from finduo.errors import FinduoError

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]
logger = logging.getLogger(__name__)

# The usual PSI reading: below 0.10 stable, up to 0.25 watch, above: shifted.
PSI_WATCH = 0.10
PSI_SHIFT = 0.25


@router.get("/monitoring", response_class=HTMLResponse)
def monitoring(p: PageDep) -> HTMLResponse:
    """PSI, performance on matured outcomes, overrides and fairness."""
    p.require("monitoring")
    from finduo.monitoring.service import current_report

    def label(name: str) -> str:
        return field_label(name, p.language)

    try:
        report, version = current_report(p.state.store)
    except FinduoError as exc:
        # No model to compare with yet: say so instead of failing the page.
        logger.info("monitoring page without a report: %s", exc.message)
        return p.render(
            "monitoring.html",
            page="monitoring",
            report=None,
            problem=exc.message,
            field_label=label,
        )
    data: dict[str, Any] = report.as_dict()
    # The SVGs are drawn by our own plotting code on the server, not user input.
    svgs = {name: Markup(svg) for name, svg in report.svgs().items()}
    return p.render(
        "monitoring.html",
        page="monitoring",
        report=data,
        svgs=svgs,
        model_version=version,
        psi_watch=PSI_WATCH,
        psi_shift=PSI_SHIFT,
        problem=None,
        field_label=label,
    )


__all__ = ["router"]
