"""How the most similar past customers behaved.

The neighbours of an application are searched in the model's own feature
space: the rows of the history are encoded with the model's feature set (the
same encoder that scores), and the distance is a Gower distance in which each
feature counts as much as the model relies on it (its mean absolute
contribution over the history). Numeric differences are scaled by the range
seen in training; categorical features count 0 when equal and 1 when
different; a value the model never saw counts as different from everything.

Neighbours are shown by a few key attributes and whether they repaid, never by
name or id: the result holds no identifier of a past customer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from finduo.errors import DataError

logger = logging.getLogger(__name__)


class _Feature(Protocol):
    name: str
    kind: str


class FeatureSpace(Protocol):
    """What the search needs from a model's feature set."""

    def encode_frame(self, df: pd.DataFrame) -> np.ndarray: ...
    def encode_row(self, row: Mapping[str, Any]) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class Neighbour:
    """One similar past customer, without identity."""

    similarity: float  # 1 = identical in every feature the model uses
    repaid: bool
    attributes: dict[str, Any]  # key attributes, readable values


class SimilarCustomers:
    """Nearest historical applications of an application, in model space.

    Parameters
    ----------
    space : FeatureSpace
        The model's feature set (``encode_frame`` / ``encode_row``).
    features : sequence of (name, kind)
        The model's features in model order; kind is ``"numeric"`` or
        ``"categorical"``.
    history : pandas.DataFrame
        Past applications with their raw columns and the target.
    target : str
        Column of ``history`` with 1 = bad (did not repay), 0 = good.
    weights : array of shape (k,), optional
        Importance per feature (e.g. mean absolute contribution); default equal.
    key_attributes : sequence of str, optional
        Raw columns shown for each neighbour; default the six features with
        the largest weights.
    exclude : sequence of str
        Columns never shown (identifiers, protected characteristics).
    id_column : str, optional
        Column of ``history`` with application ids. Ids are never shown; they
        only keep an applicant who is in the history (e.g. a held-out row of
        the same data set) from being shown as their own past customer.
    """

    def __init__(
        self,
        space: FeatureSpace,
        features: Sequence[tuple[str, str]],
        history: pd.DataFrame,
        target: str,
        *,
        weights: np.ndarray | None = None,
        key_attributes: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        id_column: str | None = None,
    ) -> None:
        if target not in history.columns:
            raise DataError(f"history has no target column {target!r}.")
        labels = history[target]
        if labels.isna().any() or not labels.isin([0, 1]).all():
            row = int((~labels.isin([0, 1])).to_numpy().argmax()) + 1
            raise DataError(
                f"history row {row}, field {target!r}: expected 0 or 1; "
                f"got {_plain(labels.iloc[row - 1])!r}."
            )
        self._names = [name for name, _ in features]
        self._categorical = np.array([kind == "categorical" for _, kind in features])
        self._x = np.asarray(space.encode_frame(history), dtype=np.float64)
        if self._x.shape != (len(history), len(self._names)):
            raise DataError(
                f"encoded history has shape {self._x.shape}; expected "
                f"({len(history)}, {len(self._names)})."
            )
        self._space = space
        self._bad = labels.to_numpy(dtype=np.int64)
        numeric = self._x[:, ~self._categorical]
        span = np.nanmax(numeric, axis=0) - np.nanmin(numeric, axis=0)
        self._span = np.where(span > 0, span, 1.0)
        w = np.ones(len(self._names)) if weights is None else np.asarray(weights, float)
        if w.shape != (len(self._names),) or (w < 0).any() or w.sum() <= 0:
            raise DataError(
                f"weights must be {len(self._names)} non-negative numbers with a "
                f"positive sum; got shape {w.shape}."
            )
        self._w = w / w.sum()
        hidden = set(exclude) | {target}
        if key_attributes is None:
            ranked = [self._names[i] for i in np.argsort(-self._w)]
            key_attributes = [n for n in ranked if n not in hidden][:6]
        self.key_attributes = [a for a in key_attributes if a not in hidden]
        self._shown = history[self.key_attributes].reset_index(drop=True)
        self._id_column = id_column
        self._ids = (
            history[id_column].astype(str).to_numpy()
            if id_column is not None and id_column in history.columns
            else None
        )

    @property
    def size(self) -> int:
        return len(self._bad)

    def distances(self, application: Mapping[str, Any]) -> np.ndarray:
        """Weighted Gower distance (0..1) from the application to every past row."""
        row = np.asarray(self._space.encode_row(application), dtype=np.float64)
        row = row.reshape(-1)
        cat = self._categorical
        parts = np.empty_like(self._x)
        parts[:, ~cat] = np.abs(self._x[:, ~cat] - row[~cat]) / self._span
        parts[:, ~cat] = np.clip(parts[:, ~cat], 0.0, 1.0)
        parts[:, cat] = (self._x[:, cat] != row[cat]).astype(np.float64)
        # NaN (unseen or missing) is unlike everything.
        parts = np.where(np.isnan(parts), 1.0, parts)
        out: np.ndarray = parts @ self._w
        return out

    def nearest(self, application: Mapping[str, Any], k: int = 10) -> list[Neighbour]:
        """The ``k`` most similar past customers, most similar first.

        Ties are broken by the row order of the history, so the answer is
        reproducible.
        """
        if k < 1:
            raise DataError(f"k must be at least 1; got {k}.")
        d = self.distances(application)
        own_id = application.get(self._id_column) if self._id_column else None
        if self._ids is not None and own_id is not None:
            # The applicant is not their own past customer.
            d = np.where(self._ids == str(own_id), np.inf, d)
        order = np.argsort(d, kind="stable")[:k]
        order = order[np.isfinite(d[order])]
        return [
            Neighbour(
                similarity=float(1.0 - d[i]),
                repaid=not bool(self._bad[i]),
                attributes={
                    c: _plain(self._shown.at[int(i), c]) for c in self.key_attributes
                },
            )
            for i in order
        ]


def repaid_share(neighbours: Sequence[Neighbour]) -> float | None:
    """Share of neighbours who repaid; None for an empty list."""
    if not neighbours:
        return None
    return sum(n.repaid for n in neighbours) / len(neighbours)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


__all__ = ["FeatureSpace", "Neighbour", "SimilarCustomers", "repaid_share"]
