"""Roles and the permission table: which role may do what.

The same table serves the HTTP API, the CLI and the console. Each route or
command names one :class:`Permission`; :data:`PERMISSIONS` says which roles
hold it. Keeping the table as data lets a test walk every route against every
role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from finduo.errors import ConfigError, PermissionDenied


class Role(StrEnum):
    """What a user or a service client is there for."""

    DECIDER = "decider"  # asks for decisions and reports outcomes (service clients)
    REVIEWER = "reviewer"  # works through referred cases
    ANALYST = "analyst"  # reads everything, proposes policy and model changes
    APPROVER = "approver"  # approves what someone else proposed
    ADMIN = "admin"  # manages users and tokens


class Permission(StrEnum):
    """One thing a route or command does."""

    DECIDE = "decide"
    READ_DECISIONS = "read_decisions"
    READ_CASES = "read_cases"
    RESOLVE_CASES = "resolve_cases"
    RECORD_OUTCOMES = "record_outcomes"
    READ_METRICS = "read_metrics"
    MANAGE_IDENTITIES = "manage_identities"


_R = Role
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.DECIDE: frozenset({_R.DECIDER}),
    Permission.READ_DECISIONS: frozenset(
        {_R.DECIDER, _R.REVIEWER, _R.ANALYST, _R.APPROVER}
    ),
    Permission.READ_CASES: frozenset({_R.REVIEWER, _R.ANALYST, _R.APPROVER}),
    Permission.RESOLVE_CASES: frozenset({_R.REVIEWER}),
    Permission.RECORD_OUTCOMES: frozenset({_R.DECIDER}),
    Permission.READ_METRICS: frozenset({_R.ANALYST, _R.ADMIN}),
    Permission.MANAGE_IDENTITIES: frozenset({_R.ADMIN}),
}


def parse_roles(values: str | list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Roles from names (a list, or one string separated by commas).

    Raises
    ------
    ConfigError
        When a name is not a role; the message lists the roles there are.
    """
    names = values.split(",") if isinstance(values, str) else list(values)
    roles: set[Role] = set()
    for raw in names:
        name = raw.strip().lower()
        try:
            roles.add(Role(name))
        except ValueError:
            known = ", ".join(role.value for role in Role)
            raise ConfigError(
                f"role must be one of {known}; got {raw!r}.", role=raw
            ) from None
    if not roles:
        raise ConfigError("at least one role is needed; got none.")
    return frozenset(roles)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is asking: a person or a service client, by name, with roles."""

    name: str
    roles: frozenset[Role]

    def can(self, permission: Permission) -> bool:
        return not self.roles.isdisjoint(PERMISSIONS[permission])

    def require(self, permission: Permission) -> None:
        """Raise :class:`PermissionDenied` unless a role of this identity holds it."""
        if not self.can(permission):
            allowed = sorted(PERMISSIONS[permission])
            needed = (
                f"the role {allowed[0]}"
                if len(allowed) == 1
                else f"one of the roles {', '.join(allowed)}"
            )
            mine = ", ".join(sorted(self.roles)) or "none"
            raise PermissionDenied(
                f"{permission.value} needs {needed}; {self.name!r} has {mine}.",
                permission=permission.value,
                identity=self.name,
            )


__all__ = [
    "PERMISSIONS",
    "Identity",
    "Permission",
    "Role",
    "parse_roles",
]
