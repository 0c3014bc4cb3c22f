"""API tokens: made once, shown once, stored only as a hash.

A token carries 256 random bits, so a plain SHA-256 of it is enough to store:
unlike a password it cannot be guessed, and a fast hash keeps the lookup on
each request cheap. Passwords (people, for the console) use argon2 instead,
see :mod:`finduo.identity.passwords`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from finduo.errors import AuthError

TOKEN_PREFIX = "fdu_"
_TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh random token, ``fdu_`` followed by 43 URL-safe characters."""
    return TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The hex SHA-256 under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_from_header(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header.

    Raises
    ------
    AuthError
        When the header is missing, not a bearer token, or not shaped like a
        finduo token.
    """
    if not authorization:
        raise AuthError("an Authorization: Bearer <token> header is needed.")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError("the Authorization header must read 'Bearer <token>'.")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise AuthError("the bearer token is not a finduo token.")
    return token


def same_hash(left: str, right: str) -> bool:
    """Constant-time comparison of two token hashes."""
    return hmac.compare_digest(left, right)


__all__ = ["TOKEN_PREFIX", "hash_token", "new_token", "same_hash", "token_from_header"]
