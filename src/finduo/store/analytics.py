"""Column-wise reads for simulation, monitoring and retention (issue 5).

The facade's ``list_decisions`` returns validated ``Decision`` objects, which
is right for a page of results and far too slow for replaying a million
decisions. These functions read whole columns with one SQL statement each and
return pandas frames; JSON fields of the application are extracted in SQL
(``json_extract`` on SQLite, ``->>`` on PostgreSQL), so the raw applications
are never parsed in Python.

Owned by the lifecycle work (issue 5) and kept apart from the facade's mixins;
the writes here (erasing free texts of cases) are audited like the facade's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine

from finduo.store._base import StoreBase, utcnow
from finduo.store.tables import CaseRow, DecisionRow, OutcomeRow, ResolutionRow

logger = logging.getLogger(__name__)

_BASE_COLUMNS = (
    "decision_id",
    "application_id",
    "created_at",
    "pd",
    "band",
    "outcome",
    "recommendation",
    "model_version",
    "policy_version",
    "variant",
)


def _field(engine: Engine, name: str) -> ColumnElement[Any]:
    """The application's JSON field ``name`` as SQL (native value on SQLite)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"application field names are identifiers; got {name!r}")
    if engine.dialect.name == "sqlite":
        column: ColumnElement[Any] = func.json_extract(
            DecisionRow.application, f'$."{name}"'
        )
    else:
        column = DecisionRow.application[name].as_string()
    return column.label(name)


def _reasons_text() -> ColumnElement[str]:
    """Referral reasons as JSON text on every backend (PostgreSQL parses JSON)."""
    return cast(DecisionRow.referral_reasons, Text)


def _numeric_or_text(values: pd.Series) -> pd.Series:
    converted = pd.to_numeric(values, errors="coerce")
    if bool((converted.notna() | values.isna()).all()):
        return converted.astype("float64")
    return values.astype("object")


def _to_utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _fetch(engine: Engine, query: Any) -> pd.DataFrame:
    """Run ``query`` and return its rows as a frame, fast.

    The statement is compiled by SQLAlchemy but its rows are read from the
    driver's cursor as plain tuples: SQLAlchemy's per-row result processing
    (typed values, Row objects) costs seconds per million rows. Timestamps
    come back as the driver gives them (text on SQLite) and are converted
    column-wise by the callers.
    """
    compiled = query.compile(dialect=engine.dialect)
    values: dict[str, Any] = {}
    for name, value in compiled.params.items():
        # The column types' own conversion (e.g. UTC timestamps, naive on SQLite).
        process = compiled.binds[name].type.bind_processor(engine.dialect)
        values[name] = process(value) if process is not None else value
    params: Any = values
    if compiled.positiontup is not None:
        params = tuple(values[name] for name in compiled.positiontup)
    with engine.connect() as conn:
        result = conn.exec_driver_sql(str(compiled), params)
        cursor = result.cursor
        assert cursor is not None and cursor.description is not None
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        result.close()
    if not rows:
        return pd.DataFrame(columns=names)
    # One 2-D object array, then column views: far cheaper than zip(*rows).
    table = np.array(rows, dtype=object).reshape(len(rows), len(names))
    return pd.DataFrame(
        {n: pd.Series(table[:, j], dtype=object) for j, n in enumerate(names)}
    )


_POLICY_REASONS = r'"(?:grey_zone|quality_sample|stop_switch|rule:[^"]*)"'


def feature_flag_column(reasons: pd.Series) -> pd.Series:
    """True where stored referral reasons (JSON text or lists) hold a feature flag.

    Policy-made reasons (grey zone, quality sample, stop switch, ``rule:...``)
    do not count; whatever else remains does (unseen value, out of range).
    """
    text = reasons.map(lambda v: v if isinstance(v, str) else json.dumps(v or []))
    flag = pd.Series(False, index=reasons.index)
    some = text != "[]"  # most decisions carry no referral reason at all
    rest = text[some].str.replace(_POLICY_REASONS, "", regex=True)
    flag[some] = rest.str.replace(r"[\[\],\s]", "", regex=True).str.len() > 0
    return flag


def decision_frame(
    store: StoreBase,
    *,
    fields: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    variants: Sequence[str] | None = None,
    with_flags: bool = True,
    columns: Sequence[str] = _BASE_COLUMNS,
    ordered: bool = True,
) -> pd.DataFrame:
    """Stored decisions as columns (oldest first when ``ordered``).

    Parameters
    ----------
    store : Store
    fields : sequence of str
        Application fields to extract (NaN / None once erased).
    since, until : datetime, optional
        ``since <= created_at < until``.
    variants : sequence of str, optional
        Keep only these variants (champion, challenger, shadow).
    with_flags : bool, default True
        Also return ``referral_reasons`` (JSON text), ``feature_flag`` (see
        :func:`feature_flag_column`) and ``erased``.
    columns : sequence of str
        Decision columns to read (default all of the listing below); the
        replay reads only what it needs.
    ordered : bool, default True
        Sort by creation time; the replay, which does not care, skips it.

    Returns
    -------
    pandas.DataFrame
        ``decision_id, application_id, created_at (UTC), pd, band, outcome,
        recommendation, model_version, policy_version, variant`` [+
        ``referral_reasons, erased``] + one column per field.
    """
    cols: list[Any] = [getattr(DecisionRow, c) for c in columns]
    if with_flags:
        cols += [_reasons_text().label("referral_reasons"), DecisionRow.erased_at]
    cols += [_field(store.engine, f) for f in fields]
    query: Select[Any] = select(*cols)
    if since is not None:
        query = query.where(DecisionRow.created_at >= since)
    if until is not None:
        query = query.where(DecisionRow.created_at < until)
    if variants is not None:
        # Equalities, not IN: an expanding IN cannot run as a plain statement.
        query = query.where(or_(*(DecisionRow.variant == v for v in variants)))
    if ordered:
        query = query.order_by(DecisionRow.created_at, DecisionRow.decision_id)
    frame = _fetch(store.engine, query)
    if "created_at" in frame:
        frame["created_at"] = _to_utc(frame["created_at"])
    if "pd" in frame:
        frame["pd"] = frame["pd"].astype("float64")
    if with_flags:
        frame["feature_flag"] = feature_flag_column(frame["referral_reasons"])
        frame["erased"] = frame.pop("erased_at").notna()
    for f in fields:
        frame[f] = _numeric_or_text(frame[f])
    return frame


@dataclass(frozen=True)
class BadRule:
    """The bad definition as the SQL summary of outcomes needs it."""

    as_of: datetime
    bad_days_past_due: int = 90
    fraud_is_bad: bool = True


def outcome_summary(store: StoreBase, rule: BadRule) -> pd.DataFrame:
    """Per decision with outcomes: records seen by ``as_of``, first bad event.

    Columns ``decision_id, n_outcomes, first_bad, created_at`` (the decision's
    time, for its performance window). One grouped query over the outcomes.
    """
    is_bad = or_(
        OutcomeRow.kind == "defaulted",
        OutcomeRow.days_past_due >= rule.bad_days_past_due,
        *([OutcomeRow.kind == "fraud"] if rule.fraud_is_bad else []),
    )
    seen = OutcomeRow.observed_at <= rule.as_of
    query = (
        select(
            OutcomeRow.decision_id,
            func.count(case((seen, 1))).label("n_outcomes"),
            func.min(case((and_(seen, is_bad), OutcomeRow.observed_at))).label(
                "first_bad"
            ),
            func.min(DecisionRow.created_at).label("created_at"),
        )
        .join(DecisionRow, DecisionRow.decision_id == OutcomeRow.decision_id)
        .group_by(OutcomeRow.decision_id)
    )
    frame = _fetch(store.engine, query)
    frame["n_outcomes"] = pd.to_numeric(frame["n_outcomes"]).astype("int64")
    for c in ("first_bad", "created_at"):
        frame[c] = _to_utc(frame[c])
    return frame


def replay_frame(
    store: StoreBase,
    fields: Sequence[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    variants: Sequence[str] = ("champion", "challenger"),
    outcomes: BadRule | None = None,
) -> tuple[pd.DataFrame, int]:
    """The lean read behind a what-if replay, and the number of erased rows.

    One scan of the decisions for what a replay needs: ``decision_id,
    application_id, pd, outcome, feature_flag`` and the ``fields``, for
    decisions of ``variants`` whose application data is not erased (erased
    ones are counted and dropped). Unordered. With ``outcomes``, the columns
    of :func:`outcome_summary` are joined (``n_outcomes`` 0 where none), which
    is what :func:`finduo.outcomes.definition.label_summary` needs.
    """
    acted = or_(*(DecisionRow.variant == v for v in variants))
    cols: list[Any] = [
        DecisionRow.decision_id,
        DecisionRow.application_id,
        DecisionRow.pd,
        DecisionRow.outcome,
        # Most decisions carry no referral reason: send no text for them.
        case(
            (_reasons_text() == literal_column("'[]'"), None),
            else_=_reasons_text(),
        ).label("referral_reasons"),
        case((DecisionRow.erased_at.is_(None), 0), else_=1).label("erased"),
        *(_field(store.engine, f) for f in fields),
    ]
    query = select(*cols).where(acted)
    if since is not None:
        query = query.where(DecisionRow.created_at >= since)
    if until is not None:
        query = query.where(DecisionRow.created_at < until)
    frame = _fetch(store.engine, query)
    erased = frame.pop("erased").to_numpy(dtype=bool)
    n_erased = int(erased.sum())
    if n_erased:
        frame = frame[~erased].reset_index(drop=True)
    frame["pd"] = frame["pd"].astype("float64")
    reasons = frame.pop("referral_reasons")
    flag = np.zeros(len(frame), dtype=bool)
    some = reasons.notna().to_numpy()
    if some.any():
        flag[some] = feature_flag_column(reasons[some]).to_numpy(dtype=bool)
    frame["feature_flag"] = flag
    for f in fields:
        frame[f] = _numeric_or_text(frame[f])
    if outcomes is not None:
        summary = outcome_summary(store, outcomes).set_index("decision_id")
        at = summary.index.get_indexer(pd.Index(frame["decision_id"]))
        hit = at >= 0
        n_out = np.zeros(len(frame), dtype=np.int64)
        n_out[hit] = summary["n_outcomes"].to_numpy()[at[hit]]
        frame["n_outcomes"] = n_out
        for c in ("first_bad", "created_at"):
            # Naive UTC datetime64 arrays: assigning into tz-aware Series is slow.
            source = summary[c].dt.tz_convert("UTC").dt.tz_localize(None)
            values = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[us]")
            values[hit] = source.to_numpy(dtype="datetime64[us]")[at[hit]]
            frame[c] = pd.to_datetime(values, utc=True)
    return frame, n_erased


def outcome_frame(store: StoreBase) -> pd.DataFrame:
    """Every stored outcome with its decision's creation time.

    Columns: ``decision_id, kind, days_past_due, observed_at, decided_at``.
    """
    query = select(
        OutcomeRow.decision_id,
        OutcomeRow.kind,
        OutcomeRow.days_past_due,
        OutcomeRow.observed_at,
        DecisionRow.created_at.label("decided_at"),
    ).join(DecisionRow, DecisionRow.decision_id == OutcomeRow.decision_id)
    frame = _fetch(store.engine, query)
    for c in ("observed_at", "decided_at"):
        frame[c] = _to_utc(frame[c])
    frame["days_past_due"] = pd.to_numeric(frame["days_past_due"], errors="coerce")
    return frame


def resolution_frame(store: StoreBase) -> pd.DataFrame:
    """Resolutions with their decision's recommendation, pd and band.

    Columns: ``case_id, decision_id, resolution, reviewer, is_override,
    first_judgement, resolved_at, recommendation, pd, band, decided_at``.
    """
    query = (
        select(
            ResolutionRow.case_id,
            CaseRow.decision_id,
            ResolutionRow.outcome.label("resolution"),
            ResolutionRow.reviewer,
            ResolutionRow.is_override,
            ResolutionRow.first_judgement,
            ResolutionRow.created_at.label("resolved_at"),
            DecisionRow.recommendation,
            DecisionRow.pd,
            DecisionRow.band,
            DecisionRow.created_at.label("decided_at"),
        )
        .join(CaseRow, CaseRow.id == ResolutionRow.case_id)
        .join(DecisionRow, DecisionRow.decision_id == CaseRow.decision_id)
    )
    frame = _fetch(store.engine, query)
    frame["pd"] = frame["pd"].astype("float64")
    for c in ("is_override",):
        frame[c] = frame[c].astype(bool)
    for c in ("resolved_at", "decided_at"):
        frame[c] = _to_utc(frame[c])
    return frame


def latest_model_version(store: StoreBase) -> str | None:
    """Model version of the most recent acted-on decision (None: no decisions)."""
    query = (
        select(DecisionRow.model_version)
        .where(DecisionRow.variant != "shadow")
        .order_by(DecisionRow.created_at.desc())
        .limit(1)
    )
    with store.engine.connect() as conn:
        value = conn.execute(query).scalar()
    return str(value) if value is not None else None


def unerased_before(store: StoreBase, before: datetime) -> list[str]:
    """Ids of decisions created before ``before`` whose data is not yet erased."""
    query = select(DecisionRow.decision_id).where(
        DecisionRow.created_at < before, DecisionRow.erased_at.is_(None)
    )
    with store.engine.connect() as conn:
        return [str(r[0]) for r in conn.execute(query)]


def erase_case_texts(store: StoreBase, decision_ids: Sequence[str], actor: str) -> int:
    """Blank resolution comments and case details of these decisions' cases.

    Free text written by reviewers may name the applicant; decisions' scores,
    outcomes and reason codes stay. Audited once per case changed (the event
    holds the case id only). Returns how many cases had text to erase.
    """
    ids = list(decision_ids)
    changed = 0
    with store._write() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cases = list(
                session.execute(
                    select(CaseRow.id, CaseRow.details).where(
                        CaseRow.decision_id.in_(chunk)
                    )
                )
            )
            for case_id, details in cases:
                comment_rows = session.execute(
                    update(ResolutionRow)
                    .where(
                        ResolutionRow.case_id == case_id,
                        ResolutionRow.comment.is_not(None),
                    )
                    .values(comment=None)
                    .execution_options(synchronize_session=False)
                )
                had_details = bool(details)
                if had_details:
                    session.execute(
                        update(CaseRow)
                        .where(CaseRow.id == case_id)
                        .values(details={})
                        .execution_options(synchronize_session=False)
                    )
                if getattr(comment_rows, "rowcount", 0) or had_details:
                    changed += 1
                    store._audit(
                        session,
                        actor,
                        "case.texts_erased",
                        "case",
                        str(case_id),
                        {"at": utcnow().isoformat()},
                    )
    return changed


__all__ = [
    "BadRule",
    "decision_frame",
    "erase_case_texts",
    "feature_flag_column",
    "latest_model_version",
    "outcome_frame",
    "outcome_summary",
    "replay_frame",
    "resolution_frame",
    "unerased_before",
]
