"""What-if replay of a policy over stored decisions: one vectorised pass.

The replay re-applies a policy to the *stored* scores (``pd``) and the stored
application fields the policy reads, in the same order of precedence as
:func:`finduo.policy.evaluate.evaluate_policy` (decline rule, feature flag,
decline cut-off, other referral reasons, quality sample), but on whole
columns at once so that a million decisions replay in seconds. A test checks
it against ``evaluate_policy`` called row by row.

Feature flags (a value unseen in training, outside the training range) belong
to the model, not to the policy: the replay keeps each decision's stored
flags. The stop switch is an operating state, not part of a policy, and is
not replayed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

import numpy as np
import numpy.typing as npt

from finduo.errors import DataError
from finduo.policy.evaluate import (
    GREY_ZONE,
    QUALITY_SAMPLE,
    STOP_SWITCH,
    band_index,
    rule_fires,
)
from finduo.policy.schema import Amount, Policy

logger = logging.getLogger(__name__)

APPROVE, REFER, DECLINE = 0, 1, 2
OUTCOMES: tuple[str, str, str] = ("approve", "refer", "decline")
_POLICY_REASONS = (GREY_ZONE, QUALITY_SAMPLE, STOP_SWITCH)


def is_feature_flag(reason: str) -> bool:
    """True for a stored referral reason that comes from the features.

    Policy-made reasons (grey zone, quality sample, stop switch, ``rule:...``)
    are recomputed by the replay; the others are kept.
    """
    return reason not in _POLICY_REASONS and not reason.startswith("rule:")


@dataclass
class DecisionColumns:
    """Stored decisions as columns (length ``n`` each), ready to replay.

    Attributes
    ----------
    decision_id, application_id : ndarray of str, shape (n,)
    pd : ndarray of float, shape (n,)
        Stored calibrated probability of default.
    fields : mapping of name to ndarray, shape (n,)
        Stored application fields the policies read (rule fields, amount).
    feature_flag : ndarray of bool, shape (n,)
        True where the stored decision carried a referral reason from the
        features (see :func:`is_feature_flag`).
    bad : ndarray of float, shape (n,)
        Observed, matured outcome: 1 bad, 0 good, NaN unknown.
    stored_outcome : ndarray of int8, shape (n,), optional
        The outcome actually given (0 approve, 1 refer, 2 decline).
    """

    decision_id: npt.NDArray[Any]
    application_id: npt.NDArray[Any]
    pd: npt.NDArray[np.float64]
    fields: Mapping[str, npt.NDArray[Any]]
    feature_flag: npt.NDArray[np.bool_]
    bad: npt.NDArray[np.float64]
    stored_outcome: npt.NDArray[np.int8] | None = None
    _draws: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.pd)
        sizes = {
            "decision_id": len(self.decision_id),
            "application_id": len(self.application_id),
            "feature_flag": len(self.feature_flag),
            "bad": len(self.bad),
            **{f"fields[{k}]": len(v) for k, v in self.fields.items()},
        }
        wrong = {k: v for k, v in sizes.items() if v != n}
        if wrong:
            raise DataError(f"replay columns must all have {n} rows; got {wrong}.")
        if np.isnan(self.pd).any():
            i = int(np.argmax(np.isnan(self.pd)))
            raise DataError(f"stored decision {self.decision_id[i]!r} has no pd.")

    def __len__(self) -> int:
        return len(self.pd)

    def quality_draws(self, salt: str) -> npt.NDArray[np.float64]:
        """The quality-sample draw of every application (cached per salt)."""
        if salt not in self._draws:
            # The same draw as quality_draw(), without a call per row: sha256 of
            # "<salt>:<id>", first 8 bytes big-endian, divided by 2**64 (exact).
            prefix = f"{salt}:".encode()
            ints = np.fromiter(
                (
                    int.from_bytes(sha256(prefix + str(a).encode()).digest()[:8], "big")
                    for a in self.application_id
                ),
                dtype=np.uint64,
                count=len(self),
            )
            self._draws[salt] = ints.astype(np.float64) / 2.0**64
        return self._draws[salt]


@dataclass(frozen=True)
class Replay:
    """A policy's decisions on replayed columns."""

    policy_name: str
    outcome: npt.NDArray[np.int8]  # 0 approve, 1 refer, 2 decline
    band: npt.NDArray[np.intp]  # index into band_names
    band_names: tuple[str, ...]
    recommendation_decline: npt.NDArray[np.bool_]
    exposure: npt.NDArray[np.float64]  # credit limit granted by the band's terms

    def outcome_names(self) -> npt.NDArray[Any]:
        return np.asarray(OUTCOMES, dtype=object)[self.outcome]


def _amount_of(
    spec: Amount, amount: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    if spec.fraction_of_amount is not None:
        value = spec.fraction_of_amount * amount
    else:
        value = np.full(amount.shape, float(spec.fixed or 0.0))
    if spec.max is not None:
        value = np.minimum(value, spec.max)
    return np.round(value, 2)


def replay_policy(policy: Policy, cols: DecisionColumns) -> Replay:
    """Decide every stored decision again under ``policy``, on whole columns.

    Parameters
    ----------
    policy : Policy
        The policy to replay (e.g. a proposed version).
    cols : DecisionColumns
        Stored decisions; ``cols.fields`` must hold every field a rule of the
        policy names, and the policy's amount field.

    Returns
    -------
    Replay
        Outcome, band, recommendation and exposure per decision.
    """
    n = len(cols)
    missing = sorted(
        ({r.field for r in policy.rules} | {policy.amount_field}) - set(cols.fields)
    )
    if missing:
        raise DataError(
            f"replay of policy {policy.name!r} needs the stored fields {missing}; "
            f"the columns hold {sorted(cols.fields)}."
        )
    declined_by_rule = np.zeros(n, dtype=bool)
    refer_rule = np.zeros(n, dtype=bool)
    for rule in policy.rules:
        hits = rule_fires(rule, np.asarray(cols.fields[rule.field]))
        if rule.action == "decline":
            declined_by_rule |= hits
        else:
            refer_rule |= hits

    cut = policy.cutoffs
    pd_ = cols.pd
    grey = (pd_ >= cut.approve_below) & (pd_ < cut.decline_from)
    declines = pd_ >= cut.decline_from
    sampled = np.zeros(n, dtype=bool)
    share = policy.quality_sample.share
    if share > 0:
        sampled = cols.quality_draws(policy.quality_sample.salt) < share

    # Lowest precedence first; each line overrules the ones above it.
    outcome = np.full(n, APPROVE, dtype=np.int8)
    outcome[refer_rule | grey | sampled] = REFER
    outcome[declines] = DECLINE  # decline wins over refer rules
    outcome[declines & sampled] = REFER  # the quality sample checks declines too
    outcome[cols.feature_flag] = REFER  # a pd on unlearnt values decides nothing
    outcome[declined_by_rule] = DECLINE

    bands = band_index(policy, pd_)
    amount = np.asarray(cols.fields[policy.amount_field], dtype=np.float64)
    limits = np.zeros(n)
    for i, band in enumerate(policy.bands):
        in_band = bands == i
        limits[in_band] = _amount_of(band.terms.credit_limit, amount[in_band])
    exposure = np.where(outcome == APPROVE, limits, 0.0)
    return Replay(
        policy_name=policy.name,
        outcome=outcome,
        band=bands,
        band_names=tuple(b.name for b in policy.bands),
        recommendation_decline=(pd_ >= cut.decline_cutoff) | declined_by_rule,
        exposure=exposure,
    )


def columns_from_records(
    records: Sequence[Mapping[str, Any]],
    field_names: Sequence[str],
) -> DecisionColumns:
    """Build :class:`DecisionColumns` from dict rows (small data, tests).

    Each record needs ``decision_id``, ``application_id``, ``pd``, the
    ``field_names``, and optionally ``referral_reasons`` (list), ``bad``
    (1 / 0 / None) and ``outcome`` (approve / refer / decline).
    """
    code = {name: i for i, name in enumerate(OUTCOMES)}
    fields = {
        f: np.asarray([r.get(f) for r in records], dtype=object) for f in field_names
    }
    for f, values in fields.items():
        with contextlib.suppress(TypeError, ValueError):
            fields[f] = values.astype(np.float64)
    stored = None
    if records and all("outcome" in r for r in records):
        stored = np.asarray([code[r["outcome"]] for r in records], dtype=np.int8)
    return DecisionColumns(
        decision_id=np.asarray([r["decision_id"] for r in records], dtype=object),
        application_id=np.asarray([r["application_id"] for r in records], dtype=object),
        pd=np.asarray([r["pd"] for r in records], dtype=np.float64),
        fields=fields,
        feature_flag=np.asarray(
            [
                any(is_feature_flag(x) for x in r.get("referral_reasons", []))
                for r in records
            ],
            dtype=bool,
        ),
        bad=np.asarray(
            [np.nan if r.get("bad") is None else float(r["bad"]) for r in records],
            dtype=np.float64,
        ),
        stored_outcome=stored,
    )


__all__ = [
    "APPROVE",
    "DECLINE",
    "OUTCOMES",
    "REFER",
    "DecisionColumns",
    "Replay",
    "columns_from_records",
    "is_feature_flag",
    "replay_policy",
]
