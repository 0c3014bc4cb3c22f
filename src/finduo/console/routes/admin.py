"""The stop switch (admins): every new application goes to review while on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from finduo.console.pages import Page, page
from finduo.console.routes.cases import BLIND_REVIEW_KEY, blind_reviewers

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]


@router.get("/admin", response_class=HTMLResponse)
def admin(p: PageDep) -> HTMLResponse:
    """The stop switch and its state; the blind-review team."""
    p.require("stop_switch")
    team = sorted(blind_reviewers(p.state.store))
    return p.render("admin.html", page="admin", blind_team=", ".join(team))


@router.post("/admin/blind-review", response_model=None)
def blind_review(
    p: PageDep,
    team: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Name the reviewers who review blind (first judgement before the machine's)."""
    p.check_csrf(csrf_token)
    user = p.require("stop_switch")
    names = sorted({n.strip() for n in team.split(",") if n.strip()})
    p.state.store.set_setting(BLIND_REVIEW_KEY, ",".join(names), user.name)
    return p.redirect("admin", done="blind_team")


@router.post("/admin/stop-switch", response_model=None)
def stop_switch(
    p: PageDep,
    on: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Switch automatic decisions off (everything to review) or on again; audited."""
    p.check_csrf(csrf_token)
    user = p.require("stop_switch")
    turn_on = on == "true"
    store = p.state.store
    store.set_stop_switch(turn_on, user.name)
    store.record_event(
        user.name,
        "console.stop_switch",
        "setting",
        "stop_switch",
        {"on": turn_on, "reason": reason.strip()[:300]},
    )
    return p.redirect("admin", done="stop_on" if turn_on else "stop_off")


__all__ = ["router"]
