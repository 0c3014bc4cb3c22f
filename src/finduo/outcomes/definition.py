"""The bad definition, the performance window and maturity.

Default (settings ``FINDUO_BAD_DAYS_PAST_DUE``, ``FINDUO_PERFORMANCE_WINDOW_MONTHS``,
``FINDUO_FRAUD_IS_BAD``): a decision's account is **bad** when, within 12
months of the decision, it reaches 90 days past due, is recorded as
defaulted, or fraud is confirmed. A decision is **mature** once its window
has passed; only mature decisions get a label (1 bad / 0 good), so that bad
rates are never diluted by accounts that have not had time to go bad. An
account that went bad early is still counted only once it matures; its
``bad_at`` is kept for vintage curves.

A mature decision with no outcome record at all stays unlabelled (NaN): no
news is not good news when the feed may have gaps. Declined applicants have
no outcomes and stay unlabelled.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from finduo.settings import Settings


class OutcomeDefinition(BaseModel):
    """What counts as bad, and when a decision is mature.

    Fields not given come from :class:`finduo.settings.Settings` (read from
    the ``FINDUO_*`` variables when the definition is made), where they are
    declared and described once.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    bad_days_past_due: int = Field(
        default_factory=lambda: Settings().bad_days_past_due, ge=1
    )
    performance_window_months: int = Field(
        default_factory=lambda: Settings().performance_window_months, ge=1, le=120
    )
    fraud_is_bad: bool = Field(default_factory=lambda: Settings().fraud_is_bad)


def window_end(decided_at: pd.Series, months: int) -> pd.Series:
    """End of each decision's performance window."""
    return pd.to_datetime(decided_at, utc=True) + pd.DateOffset(months=months)


def label_decisions(
    decisions: pd.DataFrame,
    outcomes: pd.DataFrame,
    as_of: datetime | pd.Timestamp,
    definition: OutcomeDefinition | None = None,
) -> pd.DataFrame:
    """Label each decision bad / good / unknown under the definition.

    Parameters
    ----------
    decisions : DataFrame
        ``decision_id`` and ``created_at`` (UTC).
    outcomes : DataFrame
        ``decision_id``, ``kind``, ``days_past_due``, ``observed_at`` (UTC).
    as_of : datetime
        The date of the analysis.
    definition : OutcomeDefinition, optional
        Default: from the settings.

    Returns
    -------
    DataFrame
        ``decision_id``, ``matured`` (bool), ``n_outcomes``, ``bad_at`` (first
        bad event within the window, or NaT), ``bad`` (1.0 / 0.0 for mature
        decisions with outcomes, else NaN), in the order of ``decisions``.
    """
    d = definition or OutcomeDefinition()
    as_of = pd.Timestamp(as_of)
    as_of = (
        as_of.tz_localize("UTC") if as_of.tzinfo is None else as_of.tz_convert("UTC")
    )
    base = decisions[["decision_id", "created_at"]].copy()
    base["created_at"] = pd.to_datetime(base["created_at"], utc=True)
    base["window_end"] = window_end(base["created_at"], d.performance_window_months)
    base["matured"] = base["window_end"] <= as_of

    o = outcomes.merge(base, on="decision_id", how="inner")
    o["observed_at"] = pd.to_datetime(o["observed_at"], utc=True)
    dpd = pd.to_numeric(o["days_past_due"], errors="coerce")
    is_bad = (o["kind"] == "defaulted") | (dpd >= d.bad_days_past_due)
    if d.fraud_is_bad:
        is_bad |= o["kind"] == "fraud"
    in_window = (o["observed_at"] <= o["window_end"]) & (o["observed_at"] <= as_of)
    bad_events = o[is_bad & in_window]
    first_bad = bad_events.groupby("decision_id")["observed_at"].min()
    counts = o[o["observed_at"] <= as_of].groupby("decision_id").size()

    out = base[["decision_id", "matured"]].reset_index(drop=True)
    out["n_outcomes"] = (
        out["decision_id"].map(counts.astype("float64")).fillna(0).astype(int)
    )
    bad_at = pd.DataFrame(
        {"decision_id": first_bad.index, "bad_at": first_bad.to_numpy()}
    )
    out = out.merge(bad_at, on="decision_id", how="left")
    out["bad_at"] = pd.to_datetime(out["bad_at"], utc=True)
    labelled = out["matured"] & (out["n_outcomes"] > 0)
    out["bad"] = np.where(labelled, out["bad_at"].notna().astype(float), np.nan)
    return out.reset_index(drop=True)


def label_summary(
    frame: pd.DataFrame,
    as_of: datetime | pd.Timestamp,
    definition: OutcomeDefinition | None = None,
) -> np.ndarray:
    """:func:`label_decisions` on outcomes already summarised per decision.

    ``frame`` holds ``n_outcomes`` (records seen by ``as_of``), ``first_bad``
    (first bad event seen by ``as_of``, under the same definition) and
    ``created_at`` (needed where ``n_outcomes > 0``). Returns ``bad`` as
    1.0 / 0.0 / NaN, equal to :func:`label_decisions` on the same data.
    """
    d = definition or OutcomeDefinition()
    as_of = pd.Timestamp(as_of)
    as_of = (
        as_of.tz_localize("UTC") if as_of.tzinfo is None else as_of.tz_convert("UTC")
    )
    has = frame["n_outcomes"].to_numpy() > 0
    bad = np.full(len(frame), np.nan)
    if not has.any():
        return bad
    part = frame.loc[has]
    end = window_end(part["created_at"], d.performance_window_months)
    matured = (end <= as_of).to_numpy()
    first = pd.to_datetime(part["first_bad"], utc=True)
    went_bad = (first.notna() & (first <= end)).to_numpy()
    bad[np.flatnonzero(has)[matured]] = went_bad[matured].astype(float)
    return bad


__all__ = ["OutcomeDefinition", "label_decisions", "label_summary", "window_end"]
