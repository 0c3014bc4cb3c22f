"""Risk models: a calibrated LightGBM and an optbinning scorecard.

Both follow :class:`RiskModel`: ``predict_pd(X)`` on rows encoded by their
:class:`finduo.features.FeatureSet` (``model.spec``), ``contributions(X)``
where a positive value raises the risk, and ``save(folder)``.
"""

from finduo.models.artifacts import (
    KINDS,
    latest_model,
    list_models,
    load_model,
    save_model,
)
from finduo.models.base import RiskModel
from finduo.models.lightgbm import LightGBMModel
from finduo.models.scorecard import ScorecardModel
from finduo.models.training import train_models

__all__ = [
    "KINDS",
    "LightGBMModel",
    "RiskModel",
    "ScorecardModel",
    "latest_model",
    "list_models",
    "load_model",
    "save_model",
    "train_models",
]
