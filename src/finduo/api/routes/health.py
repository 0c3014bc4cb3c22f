"""Liveness and readiness probes (no token needed; they reveal no data)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from finduo.api.deps import ServiceDep
from finduo.api.schemas import Health, Readiness

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready yet."}},
)
def ready(service: ServiceDep) -> JSONResponse:
    """Readiness: the store answers, the model and the policy are loaded."""
    checks = service.readiness()
    body = Readiness(
        status="ready" if all(checks.values()) else "not_ready",
        checks=checks,
        model_version=service.model_version,
        policy_version=service.policy_version,
        in_force=service.reloader is None or service.reloader.in_force,
    )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=200 if body.status == "ready" else 503
    )
