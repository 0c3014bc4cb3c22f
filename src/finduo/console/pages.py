"""The request context of a console page: session, user, language, rendering.

Every route takes a :class:`Page` (dependency :func:`page`), asks it for the
permission it needs (:meth:`Page.require`) and renders through it, so that
the session cookie, the CSRF token, the language and the stop-switch banner
are handled in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment

from finduo.console.i18n import Formatter, Language, normalise_language, translations
from finduo.console.session import (
    COOKIE_NAME,
    SESSION_MAX_AGE,
    Session,
    signed_out_key,
)
from finduo.errors import FinduoError, PermissionDenied

if TYPE_CHECKING:
    from finduo.console.app import ConsoleState
    from finduo.store.records import User

logger = logging.getLogger(__name__)
R = TypeVar("R", bound=Response)

# What each console action needs: any one of these roles.
ACCESS: dict[str, frozenset[str]] = {
    "read_cases": frozenset({"reviewer", "analyst", "approver"}),
    "resolve": frozenset({"reviewer"}),
    # Per-reviewer override rates are about colleagues: not for reviewers.
    "overview": frozenset({"analyst", "approver", "admin"}),
    "read_decisions": frozenset({"reviewer", "analyst", "approver"}),
    "contest": frozenset({"reviewer", "analyst"}),
    "stop_switch": frozenset({"admin"}),
    "monitoring": frozenset({"analyst", "approver", "admin"}),
    "policies": frozenset({"analyst", "approver"}),
}


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


# Words that templates translate from data (status, outcome, case kind).
DATA_WORDS = (
    N_("open"),
    N_("resolved"),
    N_("approve"),
    N_("decline"),
    N_("refer"),
    N_("onboarding"),
    N_("contest"),
    N_("early_warning"),
    N_("draft"),
    N_("proposed"),
    N_("approved"),
    N_("active"),
    N_("retired"),
)

# Role names, shown translated (the CLI's --role takes the English word).
ROLE_WORDS = (
    N_("decider"),
    N_("reviewer"),
    N_("analyst"),
    N_("approver"),
    N_("admin"),
)

# Only this console's own files; no framing by other sites.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# Messages shown after a redirect, named in the query string (?done=...).
FLASHES: dict[str, tuple[str, str]] = {
    "resolved": ("ok", N_("The case is resolved.")),
    "override": (
        "ok",
        N_("The case is resolved; your resolution is recorded as an override."),
    ),
    "contested": ("ok", N_("The contest is recorded and a priority case is open.")),
    "stop_on": ("ok", N_("The stop switch is on.")),
    "stop_off": ("ok", N_("The stop switch is off.")),
    "language": ("ok", N_("Language changed.")),
    "signed_out": ("ok", N_("You are signed out.")),
    "judged": ("ok", N_("Your first judgement is recorded.")),
    "blind_team": ("ok", N_("The blind-review team is saved.")),
    "proposed": ("ok", N_("The policy version is proposed.")),
    "simulated": ("ok", N_("The what-if simulation is recorded.")),
    "approved": ("ok", N_("The policy version is approved.")),
    "activated": ("ok", N_("The policy version is active.")),
}


class SignInRequired(FinduoError):
    """No signed-in user: the handler redirects to the sign-in page."""

    http_status = 401

    def __init__(self, next_path: str) -> None:
        super().__init__("sign-in required", next=next_path)
        self.next_path = next_path


class CsrfRejected(FinduoError):
    http_status = 403


@dataclass
class Page:
    """One request's view of the console."""

    request: Request
    state: ConsoleState
    session: Session
    user: User | None
    issue_cookie: bool
    language: Language = "en"
    fmt: Formatter = field(init=False)

    def __post_init__(self) -> None:
        self.fmt = Formatter(self.language)

    # -- access ---------------------------------------------------------------

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.user.roles) if self.user else frozenset()

    def can(self, action: str) -> bool:
        return not self.roles.isdisjoint(ACCESS[action])

    def require_signed_in(self) -> User:
        if self.user is None:
            raise SignInRequired(self.request.url.path)
        return self.user

    def require(self, action: str) -> User:
        """The signed-in user, if one of their roles may do ``action``."""
        if self.user is None:
            raise SignInRequired(self.request.url.path)
        if not self.can(action):
            allowed = ", ".join(sorted(ACCESS[action]))
            raise PermissionDenied(
                f"this needs the role {allowed}; {self.user.name} has "
                f"{', '.join(self.user.roles) or 'none'}.",
                action=action,
                user=self.user.name,
            )
        return self.user

    def role_names(self, roles: Iterable[str]) -> str:
        """Roles in this page's language, each with the word ``--role`` takes."""
        names = []
        for role in sorted(roles):
            word = self.gettext(role)
            names.append(word if word.lower() == role else f"{word} ({role})")
        return ", ".join(names) or "–"

    def refusal(self, exc: PermissionDenied) -> str:
        """The text of a 403 page: which roles may, which the user has."""
        action = exc.context.get("action")
        if action not in ACCESS or self.user is None:
            return exc.message
        return self.gettext(
            "This needs one of the roles %(needed)s. Your roles: %(mine)s."
        ) % {
            "needed": self.role_names(ACCESS[action]),
            "mine": self.role_names(self.user.roles),
        }

    def check_csrf(self, token: str | None) -> None:
        """Refuse a form whose CSRF token is missing or not this session's."""
        sent = token or self.request.headers.get("x-csrf-token")
        if not self.session.csrf_ok(sent):
            raise CsrfRejected("the form is out of date or not from this console.")

    # -- language and URLs ----------------------------------------------------

    def gettext(self, message: str) -> str:
        return translations(self.language).gettext(message)

    def url(self, path: str = "") -> str:
        root = self.request.scope.get("root_path", "").rstrip("/")
        return f"{root}/{path}"

    # -- responses ------------------------------------------------------------

    def _finish(self, response: R) -> R:
        response.headers.update(SECURITY_HEADERS)
        if self.issue_cookie:
            secure = self.request.url.scheme == "https"
            response.set_cookie(
                COOKIE_NAME,
                self.state.codec.dumps(self.session),
                max_age=SESSION_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=secure,
                path=self.url("") or "/",
            )
        return response

    def redirect(self, path: str, done: str | None = None) -> RedirectResponse:
        target = self.url(path)
        if done:
            target += ("&" if "?" in target else "?") + f"done={quote(done)}"
        return self._finish(RedirectResponse(target, status_code=303))

    def render(
        self, template: str, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        env: Environment = self.state.environments[self.language]
        stop = self.state.stop_switch()
        since, by = self.state.stop_switch_change() if stop else (None, None)
        done = self.request.query_params.get("done")
        flashes = list(values.pop("flashes", []))
        if done in FLASHES:
            kind, text = FLASHES[done]
            flashes.insert(0, (kind, self.gettext(text)))
        context = {
            "lang": self.language,
            "fmt": self.fmt,
            "csrf": self.session.csrf,
            "user": self.user,
            "url": self.url,
            "request_path": self.request.url.path,
            "stop_switch": stop,
            "stop_switch_since": since,
            "stop_switch_by": by,
            "can_read_cases": self.can("read_cases"),
            "can_read_overview": self.can("overview"),
            "can_read_decisions": self.can("read_decisions"),
            "is_admin": self.can("stop_switch"),
            "can_monitor": self.can("monitoring"),
            "can_policies": self.can("policies"),
            "flashes": flashes,
            **values,
        }
        html = env.get_template(template).render(context)
        return self._finish(HTMLResponse(html, status_code=status_code))


def page(request: Request) -> Page:
    """Dependency: the page context of this request."""
    state: ConsoleState = request.app.state.console
    session = state.codec.loads(request.cookies.get(COOKIE_NAME))
    issue = session is None
    if session is None:
        session = Session()
    user = None
    if session.user:
        found = state.store.find_user(session.user)
        ended = state.store.get_setting(signed_out_key(session.user))
        if (
            found is not None
            and not found.disabled
            and (ended is None or session.since > float(ended))
        ):
            user = found
        else:
            session = Session()
            issue = True
    language = normalise_language(user.language if user else _accept(request))
    return Page(request, state, session, user, issue, language)


def _accept(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    return header.split(",")[0] if header else "en"


__all__ = [
    "ACCESS",
    "FLASHES",
    "N_",
    "ROLE_WORDS",
    "CsrfRejected",
    "Page",
    "SignInRequired",
    "page",
]
