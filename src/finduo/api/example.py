"""A valid example application for the OpenAPI, made from the model itself.

Each categorical field takes the first category seen in training, each
numeric field the middle of its plausible range or training range, so the
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
    for name in ("categories", "categories_seen", "levels"):
        values = getattr(feature, name, None)
        if values:
            return [str(v) for v in values]
    return []


def _number(feature: Any, schema_field: Any) -> float | None:
    low = getattr(feature, "train_min", None)
    high = getattr(feature, "train_max", None)
    for item in getattr(schema_field, "metadata", ()):
        low = getattr(item, "ge", None) or getattr(item, "gt", None) or low
        high = getattr(item, "le", None) or high
    if low is None or high is None:
        return None
    value = (float(low) + float(high)) / 2
    return value if math.isfinite(value) else None


def example_application(engine: Any) -> dict[str, Any]:
    """An application the engine's schema accepts; ``{}`` if none can be made."""
    schema = engine.schema
    fields = schema.model.model_fields
    features = {f.name: f for f in engine.model.spec.features}
    out: dict[str, Any] = {ID_FIELD: "A-1001"}
    for name, kind in schema.kinds.items():
        feature = features.get(name)
        if kind == "categorical":
            seen = _categories(feature) if feature is not None else []
            out[name] = seen[0] if seen else "unknown"
            continue
        value = _number(feature, fields.get(name))
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
