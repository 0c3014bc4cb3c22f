"""Cases: referred decisions, listed, shown and resolved by a reviewer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status

from finduo.api.deps import CaseReader, Reviewer, StoreDep
from finduo.api.schemas import ERRORS, CaseList, CaseOut, ResolutionIn, ResolutionOut
from finduo.review import ReviewService
from finduo.store.records import CaseFilter

router = APIRouter(prefix="/v1/cases", tags=["cases"])

CaseId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("", response_model=CaseList, responses=ERRORS)
def list_cases(
    store: StoreDep,
    _who: CaseReader,
    case_status: Annotated[
        Literal["open", "resolved", "superseded", "any"],
        Query(
            alias="status",
            description="open, resolved, superseded (closed when the "
            "application was decided again) or any.",
        ),
    ] = "open",
    kind: Literal["onboarding", "contest", "early_warning"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CaseList:
    """Cases by priority, open ones by default."""
    found = store.list_cases(
        CaseFilter(
            status=None if case_status == "any" else case_status,
            kind=kind,
            limit=limit,
            offset=offset,
        )
    )
    cases = [CaseOut.model_validate(case, from_attributes=True) for case in found]
    return CaseList(cases=cases, limit=limit, offset=offset)


@router.get(
    "/{case_id}",
    response_model=CaseOut,
    responses={**ERRORS, 404: {"description": "No such case."}},
)
def get_case(case_id: CaseId, store: StoreDep, _who: CaseReader) -> CaseOut:
    """One case with its decision, application and resolution."""
    return CaseOut.model_validate(store.get_case(case_id), from_attributes=True)


@router.post(
    "/{case_id}/resolution",
    status_code=status.HTTP_201_CREATED,
    response_model=ResolutionOut,
    responses={
        **ERRORS,
        404: {"description": "No such case."},
        409: {"description": "The case was resolved already (by someone else)."},
    },
)
def resolve_case(
    case_id: CaseId, body: ResolutionIn, store: StoreDep, who: Reviewer
) -> ResolutionOut:
    """Resolve a case; exactly one of two concurrent resolutions succeeds."""
    # The shared rules: an approval without terms takes its band's terms,
    # reason code OTHER needs a comment (422 naming the field).
    resolution = ReviewService(store).resolve(
        case_id,
        outcome=body.outcome,
        reason_code=body.reason_code,
        reviewer=who.name,
        comment=body.comment,
        terms=body.terms,
    )
    return ResolutionOut.model_validate(resolution, from_attributes=True)
