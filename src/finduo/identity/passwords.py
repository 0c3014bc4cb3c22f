"""Passwords of people (for the console): argon2id hashes, never the password."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from finduo.errors import AuthError, ConfigError

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; parameters inside the hash).

    Raises
    ------
    ConfigError
        When the password is shorter than :data:`MIN_PASSWORD_LENGTH`.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(
            f"a password must have at least {MIN_PASSWORD_LENGTH} characters; "
            f"got {len(password)}."
        )
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> None:
    """Raise :class:`AuthError` unless ``password`` matches ``password_hash``."""
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AuthError("name or password is wrong.") from None


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "needs_rehash", "verify_password"]
