"""Named data sets and any CSV: loader, target, id column, cost matrix.

``get_dataset("german-credit")`` knows the Statlog data; ``dataset_from_csv``
describes any CSV given its target column. Either way the result is a
:class:`DatasetInfo` whose :meth:`DatasetInfo.load` gives a frame with the
target as 0/1 (1 = bad).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from finduo.datasets import csvio, german
from finduo.errors import ConfigError, DataError

_BAD_WORDS = {"1", "bad", "yes", "true", "default", "defaulted", "ja", "schlecht"}
_GOOD_WORDS = {"0", "good", "no", "false", "paid", "nein", "gut"}


@dataclass(frozen=True)
class DatasetInfo:
    """What finduo needs to know about a data set to train and evaluate on it.

    Attributes
    ----------
    name : str
        Registry name or the CSV's file stem.
    loader : callable
        Returns the frame (target already 0/1, 1 = bad).
    target : str
        Target column.
    id_column : str or None
        Column identifying an application; never a model input.
    cost_bad_accepted, cost_good_declined : float
        Cost matrix: a bad applicant approved, a good one declined.
    protected : tuple of str
        Protected characteristics: kept for fairness monitoring, never inputs.
    folds, repeats : int
        Default repeated stratified cross-validation.
    params : mapping
        Hyperparameters per model kind for this data, fixed in advance.
    raw_columns : tuple of str
        The data set's published columns, never inputs of finduo's models:
        ``finduo evaluate`` also reports a LightGBM on them alone
        (``lightgbm_raw``) on the same folds, as a reference.
    """

    name: str
    loader: Callable[[], pd.DataFrame]
    target: str
    id_column: str | None = None
    cost_bad_accepted: float = 1.0
    cost_good_declined: float = 1.0
    protected: tuple[str, ...] = ()
    folds: int = 5
    repeats: int = 1
    extra_ids: tuple[str, ...] = field(default=())
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    raw_columns: tuple[str, ...] = ()

    def load(self) -> pd.DataFrame:
        """The data, with the target as int 0/1."""
        return self.loader()

    @property
    def bayes_cutoff(self) -> float:
        """The pd above which declining costs less than approving."""
        return self.cost_good_declined / (
            self.cost_good_declined + self.cost_bad_accepted
        )

    @property
    def excluded(self) -> tuple[str, ...]:
        """Columns never used as model inputs: target, ids, protected."""
        ids = (self.id_column,) if self.id_column else ()
        return (self.target, *ids, *self.extra_ids, *self.protected, *self.raw_columns)


def _german() -> DatasetInfo:
    return DatasetInfo(
        name=german.DATASET_NAME,
        loader=german.load_german,
        target=german.TARGET,
        id_column=german.ID_COLUMN,
        cost_bad_accepted=5.0,
        cost_good_declined=1.0,
        protected=german.PROTECTED,
        folds=10,
        repeats=5,
    )


def _taiwan() -> DatasetInfo:
    # Behavioural features of finduo.behaviour (issue 6); imported here to keep
    # the data-set layer free of a hard dependency on it.
    from finduo.behaviour import model as behaviour
    from finduo.datasets import taiwan

    return DatasetInfo(
        name=taiwan.NAME,
        loader=behaviour.load_modelling_frame,
        target=taiwan.TARGET,
        id_column=taiwan.ID_COLUMN,
        protected=taiwan.PROTECTED,
        folds=5,
        repeats=1,
        params={"lightgbm": behaviour.MODEL_PARAMS},
        raw_columns=behaviour.RAW_COLUMNS,
    )


_REGISTRY: dict[str, Callable[[], DatasetInfo]] = {
    german.DATASET_NAME: _german,
    "taiwan-credit-default": _taiwan,
}


def dataset_names() -> list[str]:
    """Names :func:`get_dataset` knows."""
    return sorted(_REGISTRY)


def get_dataset(name: str) -> DatasetInfo:
    """The registered data set ``name`` (e.g. ``"german-credit"``)."""
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise ConfigError(
            f"dataset must be one of {dataset_names()}; got {name!r}."
        ) from None


def binary_target(values: pd.Series, column: str) -> pd.Series:
    """Map a two-valued target to int 0/1 (1 = bad), with a clear error otherwise.

    Numbers 0/1 (or 1/2 as in Statlog, 2 = bad) and words such as bad/good,
    yes/no, true/false, default/paid are understood.
    """
    if values.isna().any():
        row = int(values.isna().to_numpy().argmax()) + 1
        raise DataError(
            f"target {column!r} is empty in row {row}; every row needs a value.",
            row=row,
            field=column,
        )
    distinct = sorted({str(v).strip().lower() for v in values.unique()})
    if len(distinct) != 2:
        shown = distinct[:5]
        raise DataError(
            f"target {column!r} must have exactly two values; got "
            f"{len(distinct)}: {shown}.",
            field=column,
        )
    text = values.astype(str).str.strip().str.lower()
    if set(distinct) == {"1", "2"}:
        return (text == "2").astype("int64")
    bad = [v for v in distinct if v in _BAD_WORDS]
    good = [v for v in distinct if v in _GOOD_WORDS]
    if len(bad) == 1 and len(good) == 1:
        return (text == bad[0]).astype("int64")
    if len(bad) == 1:
        return (text == bad[0]).astype("int64")
    if len(good) == 1:
        return (text != good[0]).astype("int64")
    raise DataError(
        f"target {column!r} has values {distinct}; which one is bad is unclear. "
        "Recode it as 1 = bad, 0 = good.",
        field=column,
    )


def dataset_from_csv(
    path: Path | str,
    target: str,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    protected: Sequence[str] = (),
    cost_bad_accepted: float = 1.0,
    cost_good_declined: float = 1.0,
    folds: int = 5,
    repeats: int = 1,
) -> DatasetInfo:
    """Describe any CSV with a binary target as a data set.

    The first id-like column (see :func:`finduo.datasets.csvio.detect_id_columns`)
    becomes the id column; further ones are excluded from the inputs too.
    """
    path = Path(path)
    frame = csvio.read_table(path, sep=sep, decimal=decimal, encoding=encoding)
    if target not in frame.columns:
        raise DataError(
            f"target column {target!r} is not in {path.name}; columns are "
            f"{list(frame.columns)}.",
            field=target,
        )
    missing = [c for c in protected if c not in frame.columns]
    if missing:
        raise DataError(f"protected columns {missing} are not in {path.name}.")
    frame[target] = binary_target(frame[target], target)
    ids = [c for c in csvio.detect_id_columns(frame) if c != target]

    def load() -> pd.DataFrame:
        return frame.copy()

    return DatasetInfo(
        name=path.stem,
        loader=load,
        target=target,
        id_column=ids[0] if ids else None,
        cost_bad_accepted=cost_bad_accepted,
        cost_good_declined=cost_good_declined,
        protected=tuple(protected),
        folds=folds,
        repeats=repeats,
        extra_ids=tuple(ids[1:]),
    )


__all__ = [
    "DatasetInfo",
    "binary_target",
    "dataset_from_csv",
    "dataset_names",
    "get_dataset",
]
