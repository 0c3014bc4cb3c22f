"""Decisions: one application, a batch, and a stored decision by id.

The request models depend on the loaded model's features, so the router is
built by :func:`build_router` when the app starts.
"""

# No ``from __future__ import annotations`` here: the request models are made
# at run time inside build_router, and FastAPI must see them as real types.
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from finduo.api.deps import Decider, DecisionReader, ServiceDep, StoreDep
from finduo.api.schemas import ERRORS, BatchOut, DecisionOut, ErrorOut

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Repeat a request with the same key and body to get the "
        "same decision, never a second one; the same key with another body "
        "is refused (422).",
    ),
]

DecisionId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]

Redecide = Annotated[
    bool,
    Query(
        description="Decide an application id that was decided before (without "
        "it such a request is refused with 409).",
    ),
]

_DECIDE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {
        "model": ErrorOut,
        "description": "The application id was decided before; repeat with its "
        "Idempotency-Key for that answer, or ask with redecide=true.",
    },
    413: {"description": "The request body is larger than allowed."},
}


def _answer(recorded: Any) -> DecisionOut:
    return DecisionOut(
        decision=recorded.decision, case_id=recorded.case_id, replayed=recorded.replayed
    )


def build_router(
    application_model: type[BaseModel], example: dict[str, Any], batch_limit: int
) -> APIRouter:
    """The decision routes for ``application_model`` (the validated request)."""
    router = APIRouter(prefix="/v1/decisions", tags=["decisions"])
    batch_model = create_model(
        "DecisionBatch",
        __config__=ConfigDict(extra="forbid", strict=True),
        applications=(
            list[application_model],  # type: ignore[valid-type]
            Field(min_length=1, max_length=batch_limit),
        ),
    )
    Application = Annotated[
        application_model,  # type: ignore[valid-type]
        Body(
            openapi_examples={
                "german-credit": {"summary": "A typical application", "value": example}
            }
        ),
    ]
    Batch = Annotated[
        batch_model,  # type: ignore[valid-type]
        Body(
            openapi_examples={
                "two": {
                    "summary": "Two applications",
                    "value": {"applications": [example]},
                }
            }
        ),
    ]

    @router.post("", response_model=DecisionOut, responses=_DECIDE_RESPONSES)
    async def decide(
        application: Application,
        service: ServiceDep,
        who: Decider,
        idempotency_key: IdempotencyKey = None,
        redecide: Redecide = False,
    ) -> Response:
        """Decide one application: approve, refer or decline, with terms and reasons."""
        recorded = await service.decide(
            application.model_dump(mode="json"),  # type: ignore[attr-defined]
            actor=who.name,
            idempotency_key=idempotency_key,
            redecide=redecide,
        )
        # Serialised once, here: the hot path skips re-validating its own answer.
        headers = {"Idempotent-Replayed": "true"} if recorded.replayed else None
        return Response(
            _answer(recorded).model_dump_json(),
            media_type="application/json",
            headers=headers,
        )

    @router.post("/batch", response_model=BatchOut, responses=_DECIDE_RESPONSES)
    async def decide_batch(
        batch: Batch,
        service: ServiceDep,
        who: Decider,
        idempotency_key: IdempotencyKey = None,
        redecide: Redecide = False,
    ) -> BatchOut:
        """Decide up to the configured number of applications in one request."""
        answers = await service.decide_batch(
            [item.model_dump(mode="json") for item in batch.applications],  # type: ignore[attr-defined]
            actor=who.name,
            idempotency_key=idempotency_key,
            redecide=redecide,
        )
        decisions = [_answer(recorded) for recorded in answers]
        counts = Counter(str(answer.decision.outcome) for answer in decisions)
        return BatchOut(decisions=decisions, counts=dict(counts))

    @router.get(
        "/{decision_id}",
        response_model=DecisionOut,
        responses={**ERRORS, 404: {"description": "No such decision."}},
    )
    def get_decision(
        decision_id: DecisionId, store: StoreDep, _who: DecisionReader
    ) -> DecisionOut:
        """A stored decision by its id, with the case it opened."""
        decision = store.get_decision(decision_id)
        case = store.case_for_decision(decision_id)
        return DecisionOut(decision=decision, case_id=case.id if case else None)

    return router


__all__ = ["build_router"]
