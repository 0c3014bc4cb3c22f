"""Score one chunk of a portfolio: features, pd, action, reasons.

The one per-chunk pipeline of the local and the Spark engine: statements in
the wide layout (any mapping of column name to array: an Arrow batch's
columns, a pandas frame) -> behavioural features
(:func:`finduo.behaviour.model.model_inputs`) -> raw score (compiled or stock
trees) -> calibrated ``pd`` -> early-warning action -> reasons for the
watchlist rows only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from finduo.behaviour.model import INPUTS, model_inputs
from finduo.datasets import taiwan
from finduo.errors import ModelError, RowError
from finduo.portfolio.compiled import RawScorer, StockScorer
from finduo.portfolio.policy import ACTIONS, LoadedEarlyWarning, propose_actions
from finduo.portfolio.reasons import top_reasons

# Set on chunks built from long statements, where a month without a
# statement is legitimately missing (NaN) rather than an input error.
MISSING_MONTHS_OK = "_missing_months_ok"
NEEDED: tuple[str, ...] = tuple(
    c for c in taiwan.WIDE_COLUMNS if c not in taiwan.PROTECTED
)


@dataclass
class ScoredChunk:
    """Scores of ``n`` customers; the watchlist rows carry reasons."""

    customer_id: np.ndarray  # (n,)
    pd: np.ndarray  # (n,) float64
    action: np.ndarray  # (n,) int8 index into ACTIONS
    rule: np.ndarray  # (n,) int16, -1 none
    exposure: np.ndarray  # (n,) float64
    watch: np.ndarray  # (n,) bool
    reasons: list[str]  # one per watch row, in row order (English)
    reasons_de: list[str] | None = None  # the same in German

    def __len__(self) -> int:
        return int(self.pd.shape[0])


def check_chunk(columns: Mapping[str, Any], first_row: int) -> None:
    """Check a chunk's columns; row numbers count from 1 over the whole input."""
    absent = [c for c in NEEDED if c not in columns]
    if absent:
        raise RowError(first_row + 1, absent[0], "column is missing from the input")
    monthly = {*taiwan.STATUS_COLUMNS, *taiwan.BILL_COLUMNS, *taiwan.PAID_COLUMNS}
    gaps_ok = bool(columns.get(MISSING_MONTHS_OK, False))
    for name in NEEDED:
        if name == taiwan.ID_COLUMN:
            continue
        values = np.asarray(columns[name], dtype=np.float64)
        missing = np.isnan(values)
        bad = missing & ~(gaps_ok and name in monthly)
        if name in taiwan.STATUS_COLUMNS:
            with np.errstate(invalid="ignore"):
                outside = (values < -2) | (values > 9) | (values != np.floor(values))
            bad |= ~missing & outside
            reason = "repayment status must be an integer from -2 to 9"
        elif name == "limit_bal":
            bad |= values <= 0
            reason = "credit limit must be a positive number"
        else:
            reason = "must be a number"
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RowError(first_row + i + 1, name, reason, values[i])


def _encode_codes(spec: Any, values: np.ndarray) -> np.ndarray:
    """The spec's own categorical encoder, applied once per distinct value."""
    finite = np.isfinite(values)
    if finite.all():
        low, high = values.min(), values.max()
        if high - low < 4096 and np.array_equal(values, np.round(values)):
            # Small integer codes: a lookup table instead of a sort.
            table = spec.encode(np.arange(low, high + 1))
            return np.asarray(table[(values - low).astype(np.int64)])
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.asarray(spec.encode(distinct)[inverse])


class ChunkScorer:
    """Model + policy + scorer, ready to score chunks (picklable for Spark)."""

    def __init__(
        self,
        model: Any,
        policy: LoadedEarlyWarning,
        scorer: RawScorer | None = None,
        as_of: date = taiwan.AS_OF,
        reasons: bool = True,
    ) -> None:
        names = list(model.spec.names)
        unknown = sorted(set(names) - set(INPUTS))
        if unknown:
            raise ModelError(
                f"model {model.version} needs inputs the scan does not compute: "
                f"{unknown}; train it on the taiwan-credit-default features."
            )
        self.model = model
        self.names = names
        self.policy = policy
        self.scorer: RawScorer = scorer or StockScorer(model.booster)
        self.as_of = as_of
        # Contributions cost ~1 ms a row: the bench times them apart.
        self.with_reasons = reasons

    def inputs(
        self, columns: Mapping[str, Any]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Model matrix ``(n, k)`` in the model's order, and every feature by name."""
        values = model_inputs(columns, self.as_of)
        X = np.empty((len(values[self.names[0]]), len(self.names)), dtype=np.float64)
        for j, name in enumerate(self.names):
            spec = self.model.spec[name]
            if spec.kind == "categorical":
                X[:, j] = _encode_codes(spec, values[name])
            else:
                X[:, j] = values[name]
        return X, values

    def score(self, columns: Mapping[str, Any], first_row: int = 0) -> ScoredChunk:
        """Score a chunk of wide statements (see module doc)."""
        check_chunk(columns, first_row)
        X, values = self.inputs(columns)
        raw = self.scorer.raw_score(X)
        pd_ = 1.0 / (1.0 + np.exp(-(self.model.a * raw + self.model.b)))
        policy = self.policy.policy
        values["balance"] = np.maximum(
            np.asarray(columns["bill_amt_1"], dtype=np.float64), 0
        )
        action, rule = propose_actions(policy, pd_, values)
        watch = (pd_ >= policy.watch_from_pd) | (action > 0)
        rows = np.flatnonzero(watch)
        reasons: list[str] = []
        reasons_de: list[str] = []
        if rows.size and not self.with_reasons:
            reasons = reasons_de = [""] * rows.size
        elif rows.size:
            contrib = self.model.contributions(X[rows])
            # Reasons show the customer's values (category codes as in the
            # data), not the model's encoding of them.
            shown = np.column_stack([values[n][rows] for n in self.names])
            k = policy.max_reasons
            reasons = top_reasons(contrib, shown, self.names, k)
            reasons_de = top_reasons(contrib, shown, self.names, k, "de")
        return ScoredChunk(
            customer_id=np.asarray(columns[taiwan.ID_COLUMN]),
            pd=pd_,
            action=action,
            rule=rule,
            exposure=values[policy.exposure_field],
            watch=watch,
            reasons=reasons,
            reasons_de=reasons_de,
        )


__all__ = [
    "ACTIONS",
    "MISSING_MONTHS_OK",
    "NEEDED",
    "ChunkScorer",
    "ScoredChunk",
    "check_chunk",
]
