"""Prometheus exposition of the service's metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from finduo.api.deps import MetricsReader, ServiceDep
from finduo.api.schemas import ERRORS

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text."},
        401: ERRORS[401],
        403: ERRORS[403],
    },
)
def metrics(service: ServiceDep, _who: MetricsReader) -> Response:
    """Request counts and latencies by route and status, decisions by outcome."""
    payload, content_type = service.metrics.render()
    return Response(payload, media_type=content_type)
