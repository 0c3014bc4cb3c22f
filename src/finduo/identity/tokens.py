"""Reading the bearer token of a request.

Tokens are made by the store (:meth:`finduo.store.Store.create_token`), shown
once and kept only as a SHA-256: a token carries 256 random bits, so unlike a
password it cannot be guessed, and a fast hash keeps the lookup on each
request cheap. Passwords of people use argon2 instead
(:mod:`finduo.identity.passwords`).
"""

from __future__ import annotations

from finduo.errors import AuthError

MAX_TOKEN_CHARS = 200


def token_from_header(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header.

    Raises
    ------
    AuthError
        When the header is missing, is not a bearer token, or is too long to
        be a finduo token.
    """
    if not authorization:
        raise AuthError("an 'Authorization: Bearer <token>' header is needed.")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError("the Authorization header must read 'Bearer <token>'.")
    if len(token) > MAX_TOKEN_CHARS:
        raise AuthError("the bearer token is not a finduo token.")
    return token


__all__ = ["MAX_TOKEN_CHARS", "token_from_header"]
