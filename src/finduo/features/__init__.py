"""Features: what a model was trained on, and the one encoder for rows and frames.

A :class:`FeatureSet` is fitted on a training frame. It remembers, per input,
whether it is numeric or categorical, the categories seen (in a stable order:
the pandas category order where the column has one, else sorted) and the
training range of numbers. It encodes a whole frame for training and batches,
or one mapping for a single request without pandas, through the same code,
so both give the same numbers. Unseen categories and missing numbers become
NaN; :meth:`FeatureSet.flags` names what a reviewer should look at.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from finduo.errors import DataError, ModelError

Kind = Literal["numeric", "categorical"]


def category_key(value: Any) -> str | None:
    """The text a categorical value is stored and looked up as (None = missing)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (np.floating, np.integer)):
        return category_key(value.item())
    text = str(value).strip()
    return text or None


def to_number(value: Any) -> float:
    """A number as float; missing, empty or unparsable gives NaN."""
    if value is None or isinstance(value, bool):
        return math.nan if value is None else float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().replace(" ", "")
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


@dataclass
class FeatureSpec:
    """One model input."""

    name: str
    kind: Kind
    categories: list[str] = field(default_factory=list)
    min: float | None = None
    max: float | None = None
    missing_seen: bool = False

    def __post_init__(self) -> None:
        self._codes = {c: float(i) for i, c in enumerate(self.categories)}

    def encode(self, values: Sequence[Any] | np.ndarray) -> np.ndarray:
        """Encode values of this input (any length) as float64."""
        if self.kind == "categorical":
            codes = self._codes
            return np.fromiter(
                (codes.get(category_key(v), math.nan) for v in values),  # type: ignore[arg-type]
                dtype=np.float64,
                count=len(values),
            )
        array = np.asarray(values)
        if array.dtype.kind in "iuf":
            return array.astype(np.float64)
        return np.fromiter(
            (to_number(v) for v in values), dtype=np.float64, count=len(values)
        )

    def encode_value(self, value: Any) -> float:
        """Encode one value of this input, as :meth:`encode` would (no numpy)."""
        if self.kind == "categorical":
            return self._codes.get(category_key(value), math.nan)  # type: ignore[arg-type]
        return to_number(value)

    def flag(self, value: Any) -> str | None:
        """Why a reviewer should look at this value, or None."""
        if self.kind == "categorical":
            key = category_key(value)
            if key is None:
                return None if self.missing_seen else f"missing value for {self.name}"
            if key not in self._codes:
                return f"unseen value {key!r} for {self.name}"
            return None
        number = to_number(value)
        if math.isnan(number):
            if value is not None and str(value).strip():
                return f"{self.name}: {value!r} is not a number"
            return None if self.missing_seen else f"missing value for {self.name}"
        if self.min is not None and self.max is not None:
            span = f"training range {_fmt(self.min)}..{_fmt(self.max)}"
            if number < self.min:
                return f"{self.name} {_fmt(number)} below {span}"
            if number > self.max:
                return f"{self.name} {_fmt(number)} above {span}"
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind == "categorical":
            out["categories"] = list(self.categories)
        else:
            out["min"], out["max"] = self.min, self.max
        out["missing_seen"] = self.missing_seen
        return out


def _is_categorical(series: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    )


def _spec_for(name: str, series: pd.Series) -> FeatureSpec:
    missing = bool(series.isna().any())
    if _is_categorical(series):
        keys: set[str] = {
            k for v in series.dropna().unique() if (k := category_key(v)) is not None
        }
        if isinstance(series.dtype, pd.CategoricalDtype):
            order = [
                k
                for c in series.cat.categories
                if (k := category_key(c)) is not None and k in keys
            ]
        else:
            order = sorted(keys)
        return FeatureSpec(name, "categorical", categories=order, missing_seen=missing)
    numbers = series.astype("float64")
    if numbers.notna().sum() == 0:
        raise DataError(f"feature {name!r} has no values in the training data.")
    return FeatureSpec(
        name,
        "numeric",
        min=float(numbers.min()),
        max=float(numbers.max()),
        missing_seen=missing,
    )


class FeatureSet:
    """The inputs of a model, in model order, and their encoder."""

    def __init__(self, features: Iterable[FeatureSpec]) -> None:
        self.features = list(features)
        if not self.features:
            raise ModelError("a feature set needs at least one feature.")
        self.names = [f.name for f in self.features]
        self._by_name = {f.name: f for f in self.features}

    @classmethod
    def fit(cls, df: pd.DataFrame, exclude: Iterable[str] = ()) -> FeatureSet:
        """Learn the inputs from a training frame, leaving out ``exclude``.

        ``exclude`` names the target, id columns and protected characteristics.
        """
        skip = set(exclude)
        return cls(_spec_for(str(c), df[c]) for c in df.columns if c not in skip)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, name: str) -> FeatureSpec:
        return self._by_name[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FeatureSet) and self.to_dict() == other.to_dict()

    @property
    def categorical(self) -> list[str]:
        return [f.name for f in self.features if f.kind == "categorical"]

    @property
    def numeric(self) -> list[str]:
        return [f.name for f in self.features if f.kind == "numeric"]

    def _encode(
        self, columns: Mapping[str, Sequence[Any] | np.ndarray], n: int
    ) -> np.ndarray:
        out = np.empty((n, len(self.features)), dtype=np.float64)
        for j, spec in enumerate(self.features):
            out[:, j] = spec.encode(columns[spec.name])
        return out

    def encode_frame(self, df: pd.DataFrame) -> np.ndarray:
        """Encode a frame as float64 (n, k): numbers as they are, categories as codes.

        Raises
        ------
        DataError
            When a model input is not a column of ``df``.
        """
        missing = [n for n in self.names if n not in df.columns]
        if missing:
            raise DataError(f"columns {missing} are missing; the model needs them.")
        columns = {n: df[n].to_numpy(dtype=object) for n in self.names}
        return self._encode(columns, len(df))

    def encode_row(self, mapping: Mapping[str, Any]) -> np.ndarray:
        """Encode one application (a mapping of input name to value) as (1, k).

        A missing key counts as a missing value. No pandas on this path, and
        no numpy call per input: a request is one row.
        """
        row = [spec.encode_value(mapping.get(spec.name)) for spec in self.features]
        return np.array([row], dtype=np.float64)

    def flags(self, mapping: Mapping[str, Any]) -> list[str]:
        """Unseen categories, numbers outside the training range, missing values."""
        return list(self.flagged(mapping).values())

    def flagged(self, mapping: Mapping[str, Any]) -> dict[str, str]:
        """:meth:`flags` by input name (the inputs a reviewer should look at)."""
        found: dict[str, str] = {}
        for spec in self.features:
            text = spec.flag(mapping.get(spec.name))
            if text is not None:
                found[spec.name] = text
        return found

    def to_dict(self) -> dict[str, Any]:
        return {"features": [f.to_dict() for f in self.features]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSet:
        try:
            return cls(
                FeatureSpec(
                    name=item["name"],
                    kind=item["kind"],
                    categories=list(item.get("categories", [])),
                    min=item.get("min"),
                    max=item.get("max"),
                    missing_seen=bool(item.get("missing_seen", False)),
                )
                for item in data["features"]
            )
        except (KeyError, TypeError) as exc:
            raise ModelError(f"invalid feature set in model metadata: {exc}") from exc


__all__ = ["FeatureSet", "FeatureSpec", "Kind", "category_key", "to_number"]
