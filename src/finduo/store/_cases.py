"""Cases, resolutions and the managed list of reason codes."""

from __future__ import annotations

from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import CursorResult, String, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finduo.decisions.model import Terms
from finduo.errors import ConflictError, NotFoundError
from finduo.store._base import StoreBase, new_id, require, utcnow
from finduo.store._decisions import decision_from_row
from finduo.store.coverage import CASE_FIELDS, RESOLUTION_FIELDS, content_hash
from finduo.store.records import (
    CASE_KINDS,
    Case,
    CaseFilter,
    CaseKind,
    CaseStatus,
    InvalidInput,
    ReasonCode,
    Resolution,
    ResolutionOutcome,
)
from finduo.store.tables import CaseRow, DecisionRow, ReasonCodeRow, ResolutionRow

_OUTCOMES = ("approve", "decline")
# Reason codes that say nothing on their own: the comment must say it.
COMMENT_REQUIRED = frozenset({"OTHER"})


def _case(row: CaseRow, **extra: Any) -> Case:
    return Case(
        id=row.id,
        decision_id=row.decision_id,
        subject_id=row.subject_id,
        kind=cast(CaseKind, row.kind),
        status=cast(CaseStatus, row.status),
        priority=row.priority,
        referral_reasons=list(row.referral_reasons),
        details=dict(row.details),
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        version=row.version,
        **extra,
    )


def _resolution(row: ResolutionRow) -> Resolution:
    return Resolution(
        id=row.id,
        case_id=row.case_id,
        outcome=cast(ResolutionOutcome, row.outcome),
        terms=Terms.model_validate(row.terms) if row.terms is not None else None,
        reason_code=row.reason_code,
        comment=row.comment,
        reviewer=row.reviewer,
        is_override=row.is_override,
        first_judgement=cast(ResolutionOutcome | None, row.first_judgement),
        created_at=row.created_at,
    )


def _case_sha256(row: CaseRow, **changed: Any) -> str:
    """Content hash of a case row, with ``changed`` columns as written."""
    values = {name: getattr(row, name) for name in CASE_FIELDS}
    return content_hash("cases", {**values, **changed})


def _reason_code(row: ReasonCodeRow) -> ReasonCode:
    return ReasonCode(
        code=row.code,
        label_en=row.label_en,
        label_de=row.label_de,
        applies_to=cast(Any, row.applies_to),
        active=row.active,
    )


class CasesMixin(StoreBase):
    def open_case(
        self,
        actor: str,
        *,
        kind: CaseKind,
        decision_id: str | None = None,
        subject_id: str | None = None,
        priority: float = 0.0,
        referral_reasons: list[str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> Case:
        """Open a case outside ``record_decision``: a contest or an early warning.

        A contest names the contested ``decision_id``; an early-warning case
        names its customer as ``subject_id`` (``details`` may carry the
        proposed action). Referral cases are opened by ``record_decision``.
        """
        require("kind", kind, CASE_KINDS)
        if decision_id is None and subject_id is None:
            raise InvalidInput(
                "a case must name a decision_id or a subject_id; got neither",
                field="decision_id",
            )
        with self._write() as session:
            if (
                decision_id is not None
                and session.get(DecisionRow, decision_id) is None
            ):
                raise NotFoundError(
                    f"decision {decision_id!r} does not exist",
                    decision_id=decision_id,
                )
            row = CaseRow(
                id=new_id(),
                decision_id=decision_id,
                subject_id=subject_id,
                kind=kind,
                status="open",
                priority=float(priority),
                referral_reasons=list(referral_reasons or []),
                details=dict(details or {}),
                created_at=utcnow(),
                resolved_at=None,
                version=1,
            )
            session.add(row)
            session.flush()
            self._audit(
                session,
                actor,
                "case.opened",
                "case",
                row.id,
                {
                    "kind": kind,
                    "decision_id": decision_id,
                    "subject_hmac": (
                        self.personal_hash(subject_id) if subject_id else None
                    ),
                    "referral_reasons": row.referral_reasons,
                    "case_sha256": _case_sha256(row),
                },
            )
            return _case(row)

    def list_cases(self, filters: CaseFilter | None = None) -> list[Case]:
        """Cases matching ``filters`` (default: open ones), highest priority first.

        Each case carries its decision (no application data). Waiting time is
        not folded into the order here; :mod:`finduo.review` does that.
        """
        f = filters or CaseFilter()
        query = select(CaseRow, DecisionRow).outerjoin(
            DecisionRow, CaseRow.decision_id == DecisionRow.decision_id
        )
        if f.status is not None:
            query = query.where(CaseRow.status == f.status)
        if f.kind is not None:
            query = query.where(CaseRow.kind == f.kind)
        if f.band is not None:
            query = query.where(DecisionRow.band == f.band)
        if f.created_before is not None:
            query = query.where(CaseRow.created_at < f.created_before)
        if f.referral_reason is not None:
            # JSON list stored as text on both backends: match the quoted item.
            item = f.referral_reason.replace("\\", "\\\\")
            item = item.replace("%", "\\%").replace("_", "\\_")
            query = query.where(
                sql_cast(CaseRow.referral_reasons, String).like(
                    f'%"{item}"%', escape="\\"
                )
            )
        if f.reviewer is not None:
            query = query.join(
                ResolutionRow, ResolutionRow.case_id == CaseRow.id
            ).where(ResolutionRow.reviewer == f.reviewer)
        query = query.order_by(CaseRow.priority.desc(), CaseRow.created_at, CaseRow.id)
        with self._read() as session:
            rows = session.execute(query.limit(f.limit).offset(f.offset)).all()
            return [
                _case(case, decision=decision_from_row(dec) if dec else None)
                for case, dec in rows
            ]

    def get_case(self, case_id: str) -> Case:
        """One case with its decision, application data and resolution."""
        with self._read() as session:
            row = session.get(CaseRow, case_id)
            if row is None:
                raise NotFoundError(f"case {case_id!r} does not exist", case_id=case_id)
            dec = session.get(DecisionRow, row.decision_id) if row.decision_id else None
            res = session.scalars(
                select(ResolutionRow).where(ResolutionRow.case_id == case_id)
            ).first()
            return _case(
                row,
                decision=decision_from_row(dec) if dec else None,
                application=dec.application if dec else None,
                resolution=_resolution(res) if res else None,
            )

    def case_for_decision(self, decision_id: str) -> Case | None:
        """The most recent case opened for a decision, if any."""
        with self._read() as session:
            case_id = session.scalars(
                select(CaseRow.id)
                .where(CaseRow.decision_id == decision_id)
                .order_by(CaseRow.created_at.desc())
            ).first()
        return self.get_case(case_id) if case_id else None

    def supersede_open_cases(
        self, application_id: str, new_decision_id: str, actor: str
    ) -> list[str]:
        """Close the still-open cases of an application's earlier decisions.

        Used when an application is decided again (``finduo decide
        --redecide``): each open case of an earlier decision gets status
        ``superseded`` with an audit event ``case.superseded`` naming the new
        decision. Resolved cases stay as they are. Returns the case ids closed.
        """
        closed: list[str] = []
        with self._write() as session:
            rows = session.scalars(
                select(CaseRow)
                .join(DecisionRow, CaseRow.decision_id == DecisionRow.decision_id)
                .where(
                    DecisionRow.application_id == application_id,
                    DecisionRow.decision_id != new_decision_id,
                    CaseRow.status == "open",
                )
            ).all()
            now = utcnow()
            for case in rows:
                result = cast(
                    CursorResult[Any],
                    session.execute(
                        update(CaseRow)
                        .where(
                            CaseRow.id == case.id,
                            CaseRow.status == "open",
                            CaseRow.version == case.version,
                        )
                        .values(
                            status="superseded",
                            resolved_at=now,
                            version=case.version + 1,
                        )
                        .execution_options(synchronize_session=False)
                    ),
                )
                if result.rowcount != 1:
                    continue  # resolved meanwhile: that resolution stands
                self._audit(
                    session,
                    actor,
                    "case.superseded",
                    "case",
                    case.id,
                    {
                        "decision_id": case.decision_id,
                        "superseded_by": new_decision_id,
                        "case_sha256": _case_sha256(
                            case,
                            status="superseded",
                            resolved_at=now,
                            version=case.version + 1,
                        ),
                    },
                )
                closed.append(case.id)
        return closed

    def check_resolution(
        self, *, outcome: str, reason_code: str, comment: str | None = None
    ) -> None:
        """Check what :meth:`resolve_case` checks without a case.

        The outcome, the reason code (managed, active, fitting the outcome)
        and the comment it needs: lets a caller refuse bad input before
        further work (the review service, before it looks up band terms).
        """
        require("outcome", outcome, _OUTCOMES)
        _check_comment(reason_code, comment)
        with self._read() as session:
            _check_reason_code(session, reason_code, outcome)

    def resolve_case(
        self,
        case_id: str,
        *,
        outcome: ResolutionOutcome,
        reason_code: str,
        reviewer: str,
        comment: str | None = None,
        terms: Terms | dict[str, Any] | None = None,
        first_judgement: ResolutionOutcome | None = None,
    ) -> Resolution:
        """Resolve an open case; exactly one of concurrent resolutions wins.

        An override is an ``outcome`` other than the decision's
        ``recommendation``. ``terms`` (changed terms) are allowed with
        ``approve`` only; the band's terms are filled in by
        :meth:`finduo.review.ReviewService.resolve`, which the front ends
        use. A reason code of :data:`COMMENT_REQUIRED` (``OTHER``) needs a
        non-blank ``comment``. Raises :class:`ConflictError` when the case is
        no longer open, :class:`InvalidInput` for an unknown or unfitting
        reason code or a missing comment, :class:`NotFoundError` for an
        unknown case.
        """
        require("outcome", outcome, _OUTCOMES)
        if first_judgement is not None:
            require("first_judgement", first_judgement, _OUTCOMES)
        _check_comment(reason_code, comment)
        new_terms = _check_terms(outcome, terms)
        try:
            with self._write() as session:
                return self._resolve(
                    session,
                    case_id,
                    outcome,
                    reason_code,
                    reviewer,
                    comment,
                    new_terms,
                    first_judgement,
                )
        except IntegrityError as exc:
            raise ConflictError(
                f"case {case_id} was resolved by someone else at the same time",
                case_id=case_id,
            ) from exc

    def _resolve(
        self,
        session: Session,
        case_id: str,
        outcome: ResolutionOutcome,
        reason_code: str,
        reviewer: str,
        comment: str | None,
        terms: Terms | None,
        first_judgement: ResolutionOutcome | None,
    ) -> Resolution:
        case = session.get(CaseRow, case_id)
        if case is None:
            raise NotFoundError(f"case {case_id!r} does not exist", case_id=case_id)
        if case.status != "open":
            raise ConflictError(f"case {case_id} is already resolved", case_id=case_id)
        _check_reason_code(session, reason_code, outcome)
        decision = (
            session.get(DecisionRow, case.decision_id) if case.decision_id else None
        )
        is_override = decision is not None and outcome != decision.recommendation
        now = utcnow()
        result = cast(
            CursorResult[Any],
            session.execute(
                update(CaseRow)
                .where(
                    CaseRow.id == case_id,
                    CaseRow.status == "open",
                    CaseRow.version == case.version,
                )
                .values(status="resolved", resolved_at=now, version=case.version + 1)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            raise ConflictError(
                f"case {case_id} was resolved by someone else first", case_id=case_id
            )
        row = ResolutionRow(
            id=new_id(),
            case_id=case_id,
            outcome=outcome,
            terms=terms.model_dump(mode="json") if terms else None,
            reason_code=reason_code,
            comment=comment,
            reviewer=reviewer,
            is_override=is_override,
            first_judgement=first_judgement,
            created_at=now,
        )
        session.add(row)
        session.flush()
        resolution_sha256 = content_hash(
            "resolutions", {name: getattr(row, name) for name in RESOLUTION_FIELDS}
        )
        case_sha256 = _case_sha256(
            case, status="resolved", resolved_at=now, version=case.version + 1
        )
        self._audit(
            session,
            reviewer,
            "case.resolved",
            "case",
            case_id,
            {
                "decision_id": case.decision_id,
                "resolution_id": row.id,
                "outcome": outcome,
                "recommendation": decision.recommendation if decision else None,
                "is_override": is_override,
                "reason_code": reason_code,
                "terms": row.terms,
                "first_judgement": first_judgement,
                "comment_hmac": self.personal_hash(comment) if comment else None,
                "content_sha256": resolution_sha256,
                "case_sha256": case_sha256,
            },
        )
        return _resolution(row)

    def list_reason_codes(self, *, active_only: bool = True) -> list[ReasonCode]:
        """The managed reason codes, by code."""
        query = select(ReasonCodeRow).order_by(ReasonCodeRow.code)
        if active_only:
            query = query.where(ReasonCodeRow.active.is_(True))
        with self._read() as session:
            return [_reason_code(row) for row in session.scalars(query)]

    def save_reason_code(
        self,
        code: str,
        *,
        label_en: str,
        label_de: str,
        applies_to: str = "any",
        active: bool = True,
        actor: str,
    ) -> ReasonCode:
        """Add a reason code or change its labels / activity (never deleted)."""
        require("applies_to", applies_to, ("approve", "decline", "any"))
        if not code or not code.replace("_", "").isalnum() or not code.isupper():
            raise InvalidInput(
                f"reason code must be upper-case letters, digits and _; got {code!r}",
                field="code",
                value=code,
            )
        with self._write() as session:
            row = session.get(ReasonCodeRow, code)
            if row is None:
                row = ReasonCodeRow(code=code)
                session.add(row)
            row.label_en, row.label_de = label_en, label_de
            row.applies_to, row.active = applies_to, active
            session.flush()
            self._audit(
                session,
                actor,
                "reason_code.saved",
                "reason_code",
                code,
                {"applies_to": applies_to, "active": active},
            )
            return _reason_code(row)


def _check_terms(outcome: str, terms: Terms | dict[str, Any] | None) -> Terms | None:
    if terms is None:
        return None
    if outcome != "approve":
        raise InvalidInput(
            f"terms can only be changed with outcome 'approve'; got {outcome!r}",
            field="terms",
        )
    if isinstance(terms, Terms):
        return terms
    try:
        return Terms.model_validate(terms)
    except ValidationError as exc:
        raise InvalidInput(f"terms are invalid: {exc}", field="terms") from exc


def _check_comment(reason_code: str, comment: str | None) -> None:
    if reason_code in COMMENT_REQUIRED and not (comment and comment.strip()):
        raise InvalidInput(
            f"comment must say what the reason is when the reason code is "
            f"{reason_code}; got {'nothing' if comment is None else repr(comment)}",
            field="comment",
            value=comment,
        )


def _check_reason_code(session: Session, code: str, outcome: str) -> None:
    row = session.get(ReasonCodeRow, code)
    if row is None or not row.active:
        known = session.scalars(
            select(ReasonCodeRow.code)
            .where(ReasonCodeRow.active.is_(True))
            .order_by(ReasonCodeRow.code)
        ).all()
        raise InvalidInput(
            f"reason_code must be one of the managed codes ({', '.join(known)}); "
            f"got {code!r}",
            field="reason_code",
            value=code,
        )
    if row.applies_to not in ("any", outcome):
        raise InvalidInput(
            f"reason_code {code!r} is for {row.applies_to} resolutions; "
            f"got outcome {outcome!r}",
            field="reason_code",
            value=code,
        )


__all__ = ["COMMENT_REQUIRED", "CasesMixin"]
