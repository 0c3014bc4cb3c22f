"""A valid example application for the OpenAPI, made from the model itself.

The example is a low-risk applicant, so that the first request a new user
sends is approved and shows terms: starting from the first category seen in
training and the middle of each training range, each field in turn takes the
value (among the categories seen, or a few points of the training range)
that gives the lowest ``pd``. It fits whatever model the service runs and is
validated before use; scoring it costs a few milliseconds at start-up.
"""

from __future__ import annotations

import logging
from typing import Any

from finduo.decisions.validation import ID_FIELD
from finduo.errors import FinduoError

log = logging.getLogger(__name__)

_RANGE_POINTS = (0.1, 0.25, 0.5)


def _candidates(feature: Any, integer: bool) -> list[Any]:
    if feature.kind == "categorical":
        return [str(c) for c in feature.categories]
    low, high = feature.min, feature.max
    if low is None or high is None:
        return []
    values = [low + (high - low) * q for q in _RANGE_POINTS]
    return [round(v) if integer else round(v, 2) for v in values]


def example_application(engine: Any) -> dict[str, Any]:
    """A low-risk application the engine's schema accepts; ``{}`` if none."""
    schema, model = engine.schema, engine.model
    features = {f.name: f for f in model.spec.features}
    choices = {
        name: _candidates(features[name], name in schema.integer_fields)
        for name in schema.kinds
        if name in features
    }
    example: dict[str, Any] = {ID_FIELD: "A-1001"}
    for name, values in choices.items():
        if values:
            example[name] = values[len(values) // 2 if len(values) == 3 else 0]

    def pd_of(candidate: dict[str, Any]) -> float:
        return float(model.predict_pd(model.spec.encode_row(candidate))[0])

    try:
        for name, values in choices.items():
            scored = [(pd_of({**example, name: value}), value) for value in values]
            if scored:
                example[name] = min(scored, key=lambda item: item[0])[1]
        schema.validate(example)
    except (FinduoError, ValueError, TypeError) as exc:
        log.warning("no valid OpenAPI example could be made: %s", exc)
        return {}
    return example


__all__ = ["example_application"]
