"""Explanations for one model: similar past customers and counterfactuals.

Built once per console process from the engine in force. The history is the
labelled data set the model was trained on (its name is part of the model
version); its rows are encoded by the model's own feature set. Counterfactuals
are searched with a copy of the engine that records nothing and ignores the
stop switch, i.e. the active policy as it stands when switched on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from finduo.explain import (
    GERMAN_CREDIT_ACTIONABLE,
    Counterfactual,
    Neighbour,
    SimilarCustomers,
    counterfactuals,
)
from finduo.settings import Settings

logger = logging.getLogger(__name__)

_VERSION = re.compile(r"^(?P<kind>[a-z0-9]+)-(?P<dataset>.+)-\d{8}T\d{6}-[0-9a-f]{8}$")


def dataset_of(model: Any) -> str | None:
    """The data set a model was trained on, from its metadata or its version."""
    meta = getattr(model, "meta", None)
    if isinstance(meta, Mapping) and isinstance(meta.get("dataset"), str):
        return str(meta["dataset"])
    match = _VERSION.match(str(getattr(model, "version", "")))
    return match.group("dataset") if match else None


class Explainer:
    """Similar customers and counterfactuals for the engine's model."""

    def __init__(
        self, engine: Any, similar: SimilarCustomers | None, why_not: str
    ) -> None:
        self._engine = engine
        self.similar = similar
        self.why_not = why_not
        from finduo.decisions.engine import Engine

        # Records nothing, reads no stop switch: the policy as written.
        self._pure = Engine(engine.model, engine.loaded)

    @classmethod
    def for_engine(cls, engine: Any, settings: Settings) -> Explainer:
        model = engine.model
        dataset = dataset_of(model)
        similar = None
        why_not = ""
        if dataset == "german-credit":
            from finduo.datasets.german import ID_COLUMN, PROTECTED, TARGET, load_german

            history = load_german(settings.data_dir)
            spec = model.spec
            features = [(f.name, f.kind) for f in spec.features]
            X = np.asarray(spec.encode_frame(history), dtype=np.float64)
            weights = np.abs(np.asarray(model.contributions(X), dtype=np.float64))
            weights = weights[:, : len(features)].mean(axis=0)
            similar = SimilarCustomers(
                spec,
                features,
                history,
                TARGET,
                weights=weights,
                exclude=(ID_COLUMN, *PROTECTED),
                id_column=ID_COLUMN,
            )
            logger.info("similar customers: %d past applications", similar.size)
        else:
            why_not = f"no labelled history is known for data set {dataset!r}"
        return cls(engine, similar, why_not)

    def nearest(self, application: Mapping[str, Any], k: int = 10) -> list[Neighbour]:
        if self.similar is None:
            return []
        record = self._pure.schema.validate(application)
        return self.similar.nearest(record, k)

    def counterfactuals(self, application: Mapping[str, Any]) -> list[Counterfactual]:
        return counterfactuals(self._pure.decide, application, GERMAN_CREDIT_ACTIONABLE)


__all__ = ["Explainer", "dataset_of"]
