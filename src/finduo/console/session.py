"""Console sessions: a signed cookie, a CSRF token, and sign-in throttling.

The cookie holds the user's name, a random session id and the CSRF token,
signed (not encrypted) with ``settings.secret("session_secret")`` through
itsdangerous; it expires after :data:`SESSION_MAX_AGE` seconds. Every form
posts the CSRF token back as a hidden field (HTMX sends it as the
``X-CSRF-Token`` header); a missing or different token is refused.

An anonymous visitor gets a session too (no user), so that the sign-in form
is protected like every other form. Signing out records the moment in the
store (setting ``console.signed_out:<user>``); every session of that user
signed in before it is void from then on, so a copied cookie dies with the
sign-out.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "finduo_console"
SESSION_MAX_AGE = 8 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

# Lock-out: after MAX_FAILED_LOGINS wrong passwords in a row the account is
# locked for LOCKOUT; a right password while locked does not sign in.
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

_SALT = "finduo.console.session"


def signed_out_key(user: str) -> str:
    """Store setting holding when ``user`` last signed out (Unix seconds)."""
    return f"console.signed_out:{user}"


@dataclass(slots=True)
class Session:
    """What the cookie carries."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    sid: str = field(default_factory=lambda: secrets.token_hex(16))
    user: str | None = None
    # Blind review: first judgements per case id, until the case is resolved.
    judged: dict[str, str] = field(default_factory=dict)
    # When the user signed in (Unix seconds): sign-out ends older sessions.
    since: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, object]:
        return {
            "c": self.csrf,
            "s": self.sid,
            "u": self.user,
            "j": self.judged,
            "t": self.since,
        }

    def csrf_ok(self, token: str | None) -> bool:
        """Constant-time check of a token posted back by a form or header."""
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self.csrf.encode())


class SessionCodec:
    """Signs and reads session cookies with one secret."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)

    def dumps(self, session: Session) -> str:
        return self._serializer.dumps(session.to_dict())

    def loads(self, value: str | None) -> Session | None:
        """The session in a cookie; None when missing, forged or expired."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        csrf, sid, user = data.get("c"), data.get("s"), data.get("u")
        if not isinstance(csrf, str) or not isinstance(sid, str):
            return None
        raw = data.get("j")
        judged = (
            {str(k): str(v) for k, v in raw.items() if v in ("approve", "decline")}
            if isinstance(raw, dict)
            else {}
        )
        since = data.get("t")
        return Session(
            csrf=csrf,
            sid=sid,
            user=user if isinstance(user, str) else None,
            judged=judged,
            since=float(since) if isinstance(since, int | float) else 0.0,
        )


__all__ = [
    "COOKIE_NAME",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOCKOUT",
    "MAX_FAILED_LOGINS",
    "SESSION_MAX_AGE",
    "Session",
    "SessionCodec",
    "signed_out_key",
]
