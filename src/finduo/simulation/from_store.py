"""Stored decisions and matured outcomes as replay columns."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from finduo.outcomes.definition import OutcomeDefinition, label_summary
from finduo.policy.schema import Policy
from finduo.simulation.replay import OUTCOMES, DecisionColumns, is_feature_flag
from finduo.simulation.summary import Simulation, simulate
from finduo.store.analytics import BadRule, replay_frame

logger = logging.getLogger(__name__)

ACTED_ON = ("champion", "challenger")


@dataclass(frozen=True)
class StoredReplay:
    """A simulation over the store, with what was left out and why."""

    simulation: Simulation
    n_read: int
    n_erased: int  # left out: their application fields are erased
    n_matured: int
    seconds_read: float
    seconds_replay: float

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.simulation.as_dict(),
            "n_read": self.n_read,
            "n_erased_left_out": self.n_erased,
            "n_with_matured_outcome": self.n_matured,
            "seconds_read": round(self.seconds_read, 3),
            "seconds_replay": round(self.seconds_replay, 3),
        }


def policy_fields(*policies: Policy | None) -> list[str]:
    """Application fields the policies read (rule fields and amount fields)."""
    names: set[str] = set()
    for p in policies:
        if p is not None:
            names |= {r.field for r in p.rules} | {p.amount_field}
    return sorted(names)


def columns_from_frame(frame: pd.DataFrame, fields: list[str]) -> DecisionColumns:
    """:class:`DecisionColumns` from :func:`decision_frame` output (+ ``bad``)."""
    code = {name: i for i, name in enumerate(OUTCOMES)}
    if "feature_flag" in frame:
        flags = frame["feature_flag"].to_numpy(dtype=bool)
    else:
        flags = np.fromiter(
            (any(is_feature_flag(r) for r in rs) for rs in frame["referral_reasons"]),
            dtype=bool,
            count=len(frame),
        )
    return DecisionColumns(
        decision_id=frame["decision_id"].to_numpy(dtype=object),
        application_id=frame["application_id"].to_numpy(dtype=object),
        pd=frame["pd"].to_numpy(dtype=np.float64),
        fields={f: frame[f].to_numpy() for f in fields},
        feature_flag=flags,
        bad=frame["bad"].to_numpy(dtype=np.float64)
        if "bad" in frame
        else np.full(len(frame), np.nan),
        stored_outcome=np.asarray(frame["outcome"].map(code), dtype=np.int8),
    )


def load_columns(
    store: Any,
    fields: list[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: datetime | None = None,
    definition: OutcomeDefinition | None = None,
    model: Any = None,
) -> tuple[DecisionColumns, int, int, int]:
    """Acted-on stored decisions with matured labels, erased ones left out.

    Returns the columns, the rows read, the erased rows left out and the rows
    with a matured outcome.
    """
    d = definition or OutcomeDefinition()
    as_of = as_of or datetime.now(UTC)
    rule = BadRule(as_of, d.bad_days_past_due, d.fraud_is_bad)
    inputs = [f.name for f in model.spec.features] if model is not None else []
    frame, n_erased = replay_frame(
        store,
        sorted(set(fields) | set(inputs)),
        since=since,
        until=until,
        outcomes=rule,
    )
    if model is not None:
        # Re-scoring: the new model's pd replaces the stored one.
        frame["pd"] = np.asarray(
            model.predict_pd(model.spec.encode_frame(frame)), dtype=np.float64
        )
    n_read = len(frame) + n_erased
    frame["bad"] = label_summary(frame, as_of, d)
    n_matured = int(frame["bad"].notna().sum())
    return columns_from_frame(frame, fields), n_read, n_erased, n_matured


def simulate_stored(
    store: Any,
    proposed: Policy,
    active: Policy | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: datetime | None = None,
    lgd: float = 1.0,
    definition: OutcomeDefinition | None = None,
    model: Any = None,
) -> StoredReplay:
    """Replay ``proposed`` (against ``active``) over the stored decisions.

    With ``model`` (a loaded RiskModel) the stored applications are scored
    again and both policies are replayed on the new pd (re-scoring: slower,
    reads every model input; erased applications cannot be re-scored).
    """
    t0 = time.perf_counter()
    cols, n_read, n_erased, n_matured = load_columns(
        store,
        policy_fields(proposed, active),
        since=since,
        until=until,
        as_of=as_of,
        definition=definition,
        model=model,
    )
    t1 = time.perf_counter()
    sim = simulate(proposed, cols, active=active, lgd=lgd)
    t2 = time.perf_counter()
    logger.info(
        "replayed %s over %d stored decisions: read %.2f s, replay %.2f s",
        proposed.name,
        len(cols),
        t1 - t0,
        t2 - t1,
    )
    return StoredReplay(sim, n_read, n_erased, n_matured, t1 - t0, t2 - t1)


__all__ = [
    "ACTED_ON",
    "StoredReplay",
    "columns_from_frame",
    "load_columns",
    "policy_fields",
    "simulate_stored",
]
