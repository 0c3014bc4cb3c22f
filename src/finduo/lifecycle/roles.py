"""Who may take which lifecycle step (four-eyes on top of the roles).

Steps and the roles that may take them: an **analyst** proposes policy
versions and registers model candidates; an **approver** approves, activates
and retires them — and never what they proposed themselves (the store
enforces that and audits the refusal). A step refused for a missing role is
audited too, so that the trail shows every attempt.
"""

from __future__ import annotations

import enum
from typing import Any

from finduo.errors import PermissionDenied
from finduo.identity.acting import user_identity
from finduo.identity.roles import Identity, Role


class Step(enum.StrEnum):
    PROPOSE = "propose"
    APPROVE = "approve"
    ACTIVATE = "activate"
    RETIRE = "retire"
    SIMULATE = "simulate"
    REGISTER = "register"
    PROMOTE = "promote"


STEP_ROLES: dict[Step, frozenset[Role]] = {
    Step.PROPOSE: frozenset({Role.ANALYST}),
    Step.REGISTER: frozenset({Role.ANALYST}),
    Step.SIMULATE: frozenset({Role.ANALYST, Role.APPROVER}),
    Step.APPROVE: frozenset({Role.APPROVER}),
    Step.ACTIVATE: frozenset({Role.APPROVER}),
    Step.PROMOTE: frozenset({Role.APPROVER}),
    Step.RETIRE: frozenset({Role.APPROVER, Role.ADMIN}),
}


def require_step(
    store: Any, actor: str | None, step: Step, subject_type: str, subject_id: str
) -> Identity:
    """The acting user, if a role of theirs may take ``step``; else audited refusal.

    Raises
    ------
    AuthError
        When ``actor`` is not a user of the store.
    PermissionDenied
        When no role of the user may take the step (audited first).
    """
    identity = user_identity(store, actor)
    allowed = STEP_ROLES[step]
    if identity.roles.isdisjoint(allowed):
        store.record_event(
            identity.name,
            f"{subject_type}.{step.value}_refused",
            subject_type,
            subject_id,
            {"rule": "role", "needs": sorted(r.value for r in allowed)},
        )
        mine = ", ".join(sorted(r.value for r in identity.roles)) or "none"
        raise PermissionDenied(
            f"{step.value} of a {subject_type} needs the role "
            f"{' or '.join(sorted(r.value for r in allowed))}; {identity.name!r} "
            f"has {mine}.",
            step=step.value,
            identity=identity.name,
        )
    return identity


__all__ = ["STEP_ROLES", "Step", "require_step"]
