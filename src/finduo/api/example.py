"""A valid example application for the OpenAPI, made from the model itself.

Each categorical field takes the first category seen in training, each
numeric field the middle of its training range, so the
example fits whatever model the service runs. It is validated before use.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from finduo.decisions.validation import ID_FIELD
from finduo.errors import FinduoError

log = logging.getLogger(__name__)


def _categories(feature: Any) -> list[str]:
    return [str(v) for v in getattr(feature, "categories", None) or []]


def _number(feature: Any) -> float | None:
    """The middle of the training range (as seen by the model)."""
    low = getattr(feature, "min", None)
    high = getattr(feature, "max", None)
    if low is None or high is None:
        return None
    value = (float(low) + float(high)) / 2
    return value if math.isfinite(value) else None


def example_application(engine: Any) -> dict[str, Any]:
    """An application the engine's schema accepts; ``{}`` if none can be made."""
    schema = engine.schema
    features = {f.name: f for f in engine.model.spec.features}
    out: dict[str, Any] = {ID_FIELD: "A-1001"}
    for name, kind in schema.kinds.items():
        feature = features.get(name)
        if kind == "categorical":
            seen = _categories(feature) if feature is not None else []
            out[name] = seen[0] if seen else "unknown"
            continue
        value = _number(feature) if feature is not None else None
        if value is None:
            continue
        out[name] = round(value) if name in schema.integer_fields else round(value, 2)
    try:
        schema.validate(out)
    except FinduoError as exc:
        log.warning("no valid OpenAPI example could be made: %s", exc)
        return {}
    return out


__all__ = ["example_application"]
