"""Shared dependencies of the routes: the service, the store, who is asking.

Every protected route declares one of the ``Annotated`` identities below; the
permission it needs comes from :data:`finduo.identity.PERMISSIONS`, so that
the role matrix lives in one table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from finduo.api.service import Service
from finduo.identity import Identity, Permission
from finduo.store import Store

# Declares the scheme in the OpenAPI; the checks themselves are ours, so that
# a refusal is a 401/403 with a message rather than the library's default.
bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A token from `finduo tokens create --role ROLE --name NAME`.",
)


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


# The dependencies are async: a sync one would cost a hop to the threadpool.
async def get_service(request: Request) -> Service:
    return service_of(request)


ServiceDep = Annotated[Service, Depends(get_service)]


async def get_store(request: Request) -> Store:
    return service_of(request).store


StoreDep = Annotated[Store, Depends(get_store)]


def require(permission: Permission) -> Callable[..., Awaitable[Identity]]:
    """A dependency that answers 401 without a valid token, 403 without the role."""

    async def current_identity(
        request: Request,
        _credentials: Annotated[
            HTTPAuthorizationCredentials | None, Depends(bearer_scheme)
        ],
    ) -> Identity:
        identity = service_of(request).identify(request.headers.get("authorization"))
        identity.require(permission)
        return identity

    current_identity.__name__ = f"require_{permission.value}"
    return current_identity


Decider = Annotated[Identity, Depends(require(Permission.DECIDE))]
DecisionReader = Annotated[Identity, Depends(require(Permission.READ_DECISIONS))]
CaseReader = Annotated[Identity, Depends(require(Permission.READ_CASES))]
Reviewer = Annotated[Identity, Depends(require(Permission.RESOLVE_CASES))]
OutcomeRecorder = Annotated[Identity, Depends(require(Permission.RECORD_OUTCOMES))]
MetricsReader = Annotated[Identity, Depends(require(Permission.READ_METRICS))]

__all__ = [
    "CaseReader",
    "Decider",
    "DecisionReader",
    "MetricsReader",
    "OutcomeRecorder",
    "Reviewer",
    "ServiceDep",
    "StoreDep",
    "bearer_scheme",
    "get_service",
    "get_store",
    "require",
    "service_of",
]
