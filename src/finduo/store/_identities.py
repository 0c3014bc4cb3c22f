"""Users and tokens. The store keeps hashes only: passwords are hashed by the
caller (argon2, in the sign-in code), tokens here with sha256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finduo.errors import ConflictError, NotFoundError
from finduo.store._base import StoreBase, require, utcnow
from finduo.store.records import ROLES, Identity, InvalidInput, Token, User
from finduo.store.tables import TokenRow, UserRow

TOKEN_PREFIX = "fdo_"
LANGUAGES = ("en", "de")


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _roles(roles: Iterable[str]) -> tuple[str, ...]:
    result = tuple(dict.fromkeys(roles))
    if not result:
        raise InvalidInput(
            f"roles must name at least one of {', '.join(ROLES)}; got none",
            field="roles",
        )
    for role in result:
        require("role", role, ROLES)
    return result


def _user(row: UserRow) -> User:
    return User(
        name=row.name,
        roles=tuple(row.roles),
        password_hash=row.password_hash,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        language=row.language,
        created_at=row.created_at,
        disabled=row.disabled,
    )


def _token(row: TokenRow) -> Token:
    return Token(
        id=row.id,
        name=row.name,
        user_name=row.user_name,
        roles=tuple(row.roles),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def _user_row(session: Session, name: str) -> UserRow:
    row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
    if row is None:
        raise NotFoundError(f"user {name!r} does not exist", user=name)
    return row


class IdentitiesMixin(StoreBase):
    def create_user(
        self,
        name: str,
        roles: Iterable[str],
        actor: str,
        *,
        password_hash: str | None = None,
        language: str = "en",
    ) -> User:
        """Create a user; :class:`ConflictError` if the name is taken."""
        checked = _roles(roles)
        require("language", language, LANGUAGES)
        if not name or len(name) > 128 or name != name.strip():
            raise InvalidInput(
                "user name must be 1-128 characters without outer spaces; "
                f"got {name!r}",
                field="name",
                value=name,
            )
        try:
            with self._write() as session:
                row = UserRow(
                    name=name,
                    roles=list(checked),
                    password_hash=password_hash,
                    failed_logins=0,
                    locked_until=None,
                    language=language,
                    created_at=utcnow(),
                    disabled=False,
                )
                session.add(row)
                session.flush()
                self._audit(
                    session,
                    actor,
                    "user.created",
                    "user",
                    name,
                    {"roles": list(checked), "password": password_hash is not None},
                )
                return _user(row)
        except IntegrityError as exc:
            raise ConflictError(f"user {name!r} already exists", user=name) from exc

    def get_user(self, name: str) -> User:
        """The user called ``name``; :class:`NotFoundError` if none."""
        with self._read() as session:
            return _user(_user_row(session, name))

    def find_user(self, name: str) -> User | None:
        """Like :meth:`get_user`, but None for an unknown name (sign-in)."""
        with self._read() as session:
            row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
            return _user(row) if row else None

    def list_users(self) -> list[User]:
        with self._read() as session:
            return [
                _user(r)
                for r in session.scalars(select(UserRow).order_by(UserRow.name))
            ]

    def update_user(
        self,
        name: str,
        actor: str,
        *,
        roles: Iterable[str] | None = None,
        password_hash: str | None = None,
        language: str | None = None,
        disabled: bool | None = None,
    ) -> User:
        """Change roles, password hash, language or the disabled flag; audited."""
        changes: dict[str, object] = {}
        with self._write() as session:
            row = _user_row(session, name)
            if roles is not None:
                row.roles = list(_roles(roles))
                changes["roles"] = row.roles
            if password_hash is not None:
                row.password_hash = password_hash
                row.failed_logins, row.locked_until = 0, None
                changes["password"] = "changed"
            if language is not None:
                require("language", language, LANGUAGES)
                row.language = language
                changes["language"] = language
            if disabled is not None:
                row.disabled = disabled
                changes["disabled"] = disabled
            session.flush()
            self._audit(session, actor, "user.updated", "user", name, changes)
            return _user(row)

    def record_login(
        self,
        name: str,
        *,
        success: bool,
        max_failures: int = 5,
        lockout: timedelta = timedelta(minutes=15),
    ) -> User:
        """Count a sign-in; after ``max_failures`` failures in a row, lock out.

        A success resets the count. Both are audited with the user as actor.
        """
        with self._write() as session:
            row = _user_row(session, name)
            now = utcnow()
            payload: dict[str, object] = {}
            if success:
                row.failed_logins, row.locked_until = 0, None
                action = "user.login"
            else:
                row.failed_logins += 1
                action = "user.login_failed"
                payload["failed_logins"] = row.failed_logins
                if row.failed_logins >= max_failures:
                    row.locked_until = now + lockout
                    payload["locked_until"] = row.locked_until.isoformat()
            session.flush()
            self._audit(session, name, action, "user", name, payload)
            return _user(row)

    @staticmethod
    def is_locked(user: User, now: datetime | None = None) -> bool:
        """True while the user is locked out after failed sign-ins."""
        return user.locked_until is not None and user.locked_until > (now or utcnow())

    def create_token(
        self,
        name: str,
        roles: Iterable[str],
        actor: str,
        *,
        user_name: str | None = None,
    ) -> tuple[Token, str]:
        """A new token and its plaintext, shown once; only its sha256 is stored.

        ``user_name`` ties the token to a user (who then acts through it);
        otherwise ``name`` is a service client, e.g. ``webshop``.
        """
        checked = _roles(roles)
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._write() as session:
            if user_name is not None:
                _user_row(session, user_name)
            row = TokenRow(
                id=secrets.token_hex(8),
                name=name,
                user_name=user_name,
                roles=list(checked),
                token_sha256=token_sha256(plaintext),
                created_at=utcnow(),
                revoked_at=None,
            )
            session.add(row)
            session.flush()
            self._audit(
                session,
                actor,
                "token.created",
                "token",
                row.id,
                {"name": name, "user": user_name, "roles": list(checked)},
            )
            return _token(row), plaintext

    def revoke_token(self, token_id: str, actor: str) -> Token:
        """Revoke a token by id (revoking twice keeps the first time)."""
        with self._write() as session:
            row = session.get(TokenRow, token_id)
            if row is None:
                raise NotFoundError(
                    f"token {token_id!r} does not exist", token=token_id
                )
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                session.flush()
                self._audit(session, actor, "token.revoked", "token", token_id)
            return _token(row)

    def list_tokens(self) -> list[Token]:
        with self._read() as session:
            rows = session.scalars(select(TokenRow).order_by(TokenRow.created_at))
            return [_token(r) for r in rows]

    def identity_for_token(self, token: str) -> Identity | None:
        """Who a presented token belongs to, or None (unknown, revoked, disabled)."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self._read() as session:
            row = session.scalars(
                select(TokenRow).where(TokenRow.token_sha256 == token_sha256(token))
            ).first()
            if row is None or row.revoked_at is not None:
                return None
            if row.user_name is None:
                return Identity(row.name, tuple(row.roles))
            user = session.scalars(
                select(UserRow).where(UserRow.name == row.user_name)
            ).first()
            if user is None or user.disabled:
                return None
            # A user's token never grants more than the user's current roles.
            roles = tuple(r for r in row.roles if r in user.roles)
            return Identity(user.name, roles) if roles else None


__all__ = ["TOKEN_PREFIX", "IdentitiesMixin", "token_sha256"]
