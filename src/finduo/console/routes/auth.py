"""Sign-in, sign-out, language; the start page sends each role where it works."""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from finduo.console.i18n import normalise_language
from finduo.console.pages import Page, page
from finduo.console.session import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    Session,
    signed_out_key,
)
from finduo.errors import AuthError
from finduo.identity.passwords import hash_password, verify_password

logger = logging.getLogger(__name__)
router = APIRouter()

PageDep = Annotated[Page, Depends(page)]


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified when a name is unknown, so that a wrong name takes as long as a
    wrong password (no probing for user names by timing)."""
    return hash_password(secrets.token_hex(16))


def _safe_next(p: Page, value: str | None) -> str:
    """A local console path to return to; anything else goes to the start."""
    root = p.url("")
    if value and value.startswith(root) and "//" not in value and "\\" not in value:
        return value[len(root) :]
    return ""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def start(p: PageDep) -> RedirectResponse:
    """The start page: the queue for people who work cases, else the overview."""
    if p.user is None:
        return p.redirect("sign-in")
    if p.can("read_cases"):
        return p.redirect("queue")
    if p.can("overview"):
        return p.redirect("overview")
    p.require("read_cases")  # raises: this user has no console role
    return p.redirect("sign-in")


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(p: PageDep, next: str | None = None) -> HTMLResponse:
    """The sign-in form."""
    return p.render("sign_in.html", next=next or "", name="")


@router.post("/sign-in", response_class=HTMLResponse, response_model=None)
def sign_in(
    p: PageDep,
    name: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Check name and password; lock the account after repeated failures."""
    p.check_csrf(csrf_token)
    store = p.state.store
    name = name.strip()
    user = store.find_user(name) if name else None
    wrong = p.gettext("Name or password is wrong.")
    if user is None or user.password_hash is None or user.disabled:
        with contextlib.suppress(AuthError):
            verify_password(_dummy_hash(), password)
        logger.info("console sign-in refused: unknown or password-less user")
        return p.render(
            "sign_in.html", 401, next=next, name=name, flashes=[("error", wrong)]
        )
    if store.is_locked(user):
        store.record_event(
            user.name, "console.sign_in_refused", "user", user.name, {"locked": True}
        )
        message = p.gettext(
            "This account is locked after repeated failed sign-ins until %(time)s."
        ) % {"time": p.fmt.datetime(user.locked_until)}
        return p.render(
            "sign_in.html", 423, next=next, name=name, flashes=[("error", message)]
        )
    try:
        verify_password(user.password_hash, password)
    except AuthError:
        after = store.record_login(
            user.name, success=False, max_failures=MAX_FAILED_LOGINS, lockout=LOCKOUT
        )
        message = wrong
        if store.is_locked(after):
            message = p.gettext(
                "Too many failed sign-ins: this account is locked until %(time)s."
            ) % {"time": p.fmt.datetime(after.locked_until)}
        return p.render(
            "sign_in.html", 401, next=next, name=name, flashes=[("error", message)]
        )
    store.record_login(user.name, success=True)
    # A fresh session (new id and CSRF token) at sign-in: no session fixation.
    p.session = Session(user=user.name)
    p.issue_cookie = True
    return p.redirect(_safe_next(p, next))


@router.post("/sign-out", response_model=None)
def sign_out(p: PageDep, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    """End the session (audited)."""
    p.check_csrf(csrf_token)
    if p.user is not None:
        # Audited as setting.changed; every session signed in before now ends.
        p.state.store.set_setting(
            signed_out_key(p.user.name), f"{time.time():.6f}", p.user.name
        )
        p.state.store.record_event(p.user.name, "console.sign_out", "user", p.user.name)
    p.session = Session()
    p.issue_cookie = True
    return p.redirect("sign-in", done="signed_out")


@router.post("/language", response_model=None)
def language(
    p: PageDep,
    language: Annotated[str, Form(max_length=8)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Change the signed-in user's language (kept with the user)."""
    p.check_csrf(csrf_token)
    user = p.require_signed_in()
    chosen = normalise_language(language)
    if chosen != user.language:
        p.state.store.update_user(user.name, user.name, language=chosen)
    return p.redirect(_safe_next(p, next), done="language")
