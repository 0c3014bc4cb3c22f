"""The behavioural model's data: one frame for training, evaluation and scans.

:func:`modelling_frame` turns statements in the wide layout into the frame
``finduo train`` and ``finduo evaluate`` use for ``taiwan-credit-default``:
the behavioural features of :mod:`finduo.behaviour.statements`, the static
inputs (education, marriage, age), the protected ``sex`` (kept for fairness
monitoring, never an input), the target, and the file's raw columns under
``raw_*`` names for the raw-column reference model. A portfolio scan computes
the same features through the same function (:func:`model_inputs`).

Hyperparameters for this data are fixed in advance (:data:`MODEL_PARAMS`),
not tuned on reported folds: they were set before the seed-0 evaluation from
general experience with 30,000-row tabular data (leaves of at least 100 rows,
shallow-ish trees, L2); only the number of rounds is chosen inside the
training folds by LightGBMModel.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from finduo.behaviour.statements import FEATURES, panel_from_wide, statement_features
from finduo.datasets import taiwan

STATIC_INPUTS: tuple[str, ...] = ("education", "marriage", "age")
CATEGORICAL_INPUTS: tuple[str, ...] = ("education", "marriage")
INPUTS: tuple[str, ...] = (*FEATURES, *STATIC_INPUTS)
RAW_PREFIX = "raw_"
RAW_SOURCE: tuple[str, ...] = (
    "limit_bal",
    "education",
    "marriage",
    "age",
    *taiwan.STATUS_COLUMNS,
    *taiwan.BILL_COLUMNS,
    *taiwan.PAID_COLUMNS,
)
RAW_COLUMNS: tuple[str, ...] = tuple(RAW_PREFIX + c for c in RAW_SOURCE)

MODEL_PARAMS: dict[str, Any] = {
    "learning_rate": 0.05,
    "max_rounds": 500,
    "num_leaves": 15,
    "max_depth": -1,
    "min_data_in_leaf": 100,
    "lambda_l2": 1.0,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "max_bin": 255,
    "num_threads": 1,
}


def model_inputs(
    wide: Mapping[str, Any], as_of: date = taiwan.AS_OF
) -> dict[str, np.ndarray]:
    """Every model input of every customer in ``wide`` (frame or column mapping).

    Returns
    -------
    dict of str to numpy.ndarray
        Float64 arrays of shape ``(n,)`` keyed by :data:`INPUTS`.
    """
    values = statement_features(panel_from_wide(wide, as_of))
    for name in STATIC_INPUTS:
        values[name] = np.asarray(wide[name], dtype=np.float64)
    return values


def modelling_frame(wide: pd.DataFrame, as_of: date = taiwan.AS_OF) -> pd.DataFrame:
    """The training/evaluation frame of the wide statements (see module doc)."""
    columns = {str(c): wide[c].to_numpy() for c in wide.columns}
    frame = pd.DataFrame(model_inputs(columns, as_of), columns=list(INPUTS))
    # Codes, not quantities: categorical inputs (one-hot in the baseline).
    for name in CATEGORICAL_INPUTS:
        frame[name] = wide[name].to_numpy().astype(np.int64).astype(str)
    frame.insert(0, taiwan.ID_COLUMN, wide[taiwan.ID_COLUMN].to_numpy())
    for name in taiwan.PROTECTED:
        frame[name] = wide[name].to_numpy()
    for source, column in zip(RAW_SOURCE, RAW_COLUMNS, strict=True):
        frame[column] = wide[source].to_numpy(dtype=np.float64)
    if taiwan.TARGET in wide:
        frame[taiwan.TARGET] = wide[taiwan.TARGET].to_numpy()
    return frame


def load_modelling_frame() -> pd.DataFrame:
    """:func:`modelling_frame` of the real Taiwan data (registry loader)."""
    return modelling_frame(taiwan.load_taiwan())


__all__ = [
    "CATEGORICAL_INPUTS",
    "INPUTS",
    "MODEL_PARAMS",
    "RAW_COLUMNS",
    "STATIC_INPUTS",
    "load_modelling_frame",
    "model_inputs",
    "modelling_frame",
]
