"""Validating applications against a schema derived from the model's features.

The schema is a pydantic model built from the feature set a model was
trained on: numeric features take strict numbers, categorical ones strict
text (an unseen category is valid input; the engine refers it). Fields of
German credit get explicit plausible ranges. Every application also carries
an ``application_id``; protected characteristics may be given (they are kept
for fairness monitoring, never scored). Unknown fields are refused.

Ages are accepted from 14 so that the policy's under-18 rule, not the
validation, declines a minor, and the decline is recorded; below 14 is a
data error.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    create_model,
)

from finduo.errors import DataError

ID_FIELD = "application_id"


class FeatureLike(Protocol):
    """What validation needs to know of one model feature."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class Plausible:
    """Explicit plausible range of a numeric field (inclusive unless noted)."""

    integer: bool
    ge: float | None = None
    gt: float | None = None
    le: float | None = None


# Plausible ranges for the German credit fields (units: months, DM, years).
GERMAN_RANGES: dict[str, Plausible] = {
    "duration_months": Plausible(integer=True, ge=1, le=120),
    "credit_amount": Plausible(integer=False, gt=0, le=10_000_000),
    "age_years": Plausible(integer=True, ge=14, le=100),
    "residence_since": Plausible(integer=True, ge=1, le=4),
    "existing_credits": Plausible(integer=True, ge=1, le=4),
}

ID_RULE = (
    "an application id starts with a plain letter or digit (A-Z, a-z, 0-9; "
    "no umlaut) and holds only letters, digits, '_', '.', ':', '/' or '-' "
    "(no spaces)"
)
_Text = Annotated[StrictStr, Field(min_length=1, max_length=200)]
_Id = Annotated[
    StrictStr, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.:/-]*$")
]


@dataclass(frozen=True)
class FieldError:
    """One reason an application is invalid."""

    field: str
    reason: str
    value: Any


class InvalidApplication(DataError):
    """An application failed validation; ``errors`` lists every field at fault."""

    http_status = 422

    def __init__(self, errors: list[FieldError], application_id: str | None) -> None:
        parts = "; ".join(f"{e.field}: {e.reason}" for e in errors)
        who = f"application {application_id!r}" if application_id else "application"
        super().__init__(
            f"{who} is invalid: {parts}", application_id=application_id, errors=errors
        )
        self.errors = errors


def _numeric_type(name: str, ranges: Mapping[str, Plausible]) -> Any:
    spec = ranges.get(name)
    if spec is None:
        return (
            StrictFloat | StrictInt | None,
            Field(default=None, allow_inf_nan=False),
        )
    base = StrictInt if spec.integer else StrictFloat
    return (
        base,
        Field(ge=spec.ge, gt=spec.gt, le=spec.le, allow_inf_nan=False)
        if not spec.integer
        else Field(ge=spec.ge, gt=spec.gt, le=spec.le),
    )


class ApplicationSchema:
    """The pydantic model of an application for one feature set.

    Parameters
    ----------
    features : iterable of feature specs
        Each with ``name`` and ``kind`` (``"numeric"`` or ``"categorical"``).
    protected : iterable of str
        Protected characteristics: optional text fields, never scored.
    extra_fields : mapping of str to {"numeric", "categorical"}
        Further fields a policy rule reads that are not model features.
    ranges : mapping of str to Plausible, optional
        Plausible ranges by field; default :data:`GERMAN_RANGES`.
    """

    def __init__(
        self,
        features: Iterable[FeatureLike],
        protected: Iterable[str] = (),
        extra_fields: Mapping[str, str] | None = None,
        ranges: Mapping[str, Plausible] | None = None,
    ) -> None:
        ranges = GERMAN_RANGES if ranges is None else ranges
        fields: dict[str, Any] = {ID_FIELD: (_Id, ...)}
        kinds = {f.name: f.kind for f in features}
        kinds.update(extra_fields or {})
        for name, kind in kinds.items():
            if kind == "numeric":
                fields[name] = _numeric_type(name, ranges)
            else:
                fields[name] = (_Text, ...)
        self.protected = tuple(p for p in protected if p not in fields)
        for name in self.protected:
            fields[name] = (_Text | None, None)
        self.kinds = kinds
        self.fields = tuple(fields)
        self.required = tuple(name for name in fields if name not in self.protected)
        self.integer_fields = frozenset(
            name for name, spec in ranges.items() if spec.integer and name in kinds
        )
        self.model: type[BaseModel] = create_model(
            "Application",
            __config__=ConfigDict(extra="forbid", frozen=True),
            **fields,
        )

    def validate(self, application: Mapping[str, Any]) -> dict[str, Any]:
        """The validated application as plain values; raise InvalidApplication."""
        try:
            model = self.model.model_validate(dict(application))
        except ValidationError as exc:
            raw_id = application.get(ID_FIELD)
            app_id = raw_id if isinstance(raw_id, str) else None
            raise InvalidApplication(field_errors(exc), app_id) from exc
        return model.model_dump()

    def csv_values(
        self, row: Mapping[str, Any], decimal: str | None = None
    ) -> dict[str, Any]:
        """Turn one row read from CSV into typed values before strict validation.

        As :meth:`csv_row`, without the reasons: a text that is not a number
        is left as it came, for validation to reject.
        """
        return self.csv_row(row, decimal)[0]

    def csv_row(
        self, row: Mapping[str, Any], decimal: str | None = None
    ) -> tuple[dict[str, Any], list[FieldError]]:
        """One row read from CSV as typed values, and the cells that are no number.

        CSV cells are text by nature: numbers written as text become numbers,
        strictly under the decimal mark ``decimal`` (``None``: unknown, and a
        text that reads as two different numbers is refused as ambiguous; see
        :func:`finduo.datasets.csvio.parse_number`). Empty cells become
        missing; whole floats in integer fields (a column with gaps) become
        integers. A number text in an integer field stays an integer, so
        ``45.5`` for an age is refused, not rounded.
        """
        from finduo.datasets.csvio import NumberFormatError, parse_number

        out: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, value in row.items():
            value = _plain(value)
            if isinstance(value, str) and not value.strip():
                value = None
            kind = self.kinds.get(name)
            if kind == "numeric" and isinstance(value, str):
                try:
                    value = parse_number(value, decimal)
                except NumberFormatError as exc:
                    errors.append(FieldError(name, str(exc), value))
            if (
                name in self.integer_fields
                and isinstance(value, float)
                and value.is_integer()
            ):
                value = int(value)
            if kind == "categorical" and isinstance(value, int | float):
                # As the feature set keys categories: 2.0 -> "2".
                whole = isinstance(value, float) and value.is_integer()
                value = str(int(value)) if whole else str(value)
            if name == ID_FIELD and isinstance(value, int):
                value = str(value)
            out[name] = value
        return out, errors


def _plain(value: Any) -> Any:
    """numpy/pandas scalars -> Python values; NaN and NA -> None."""
    if value is None:
        return None
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, str):
        with contextlib.suppress(TypeError, ValueError):
            value = item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic errors as (field, reason, value), in field order."""
    out = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
        field = loc[0] if loc else "(application)"
        if error["type"] == "missing":
            reason = "required field is missing"
            value = None
        elif error.get("input", "") is None:
            reason = "value is missing (empty)"
            value = None
        elif error["type"] == "extra_forbidden":
            reason = "unknown field"
            value = error.get("input")
        elif error["type"] == "string_pattern_mismatch" and field == ID_FIELD:
            reason = ID_RULE
            value = error.get("input")
        elif error["type"] in ("int_type", "int_from_float", "int_parsing"):
            reason = "must be a whole number"
            value = error.get("input")
        else:
            reason = error["msg"]
            value = error.get("input")
        out.append(FieldError(field, reason, value))
    return out


__all__ = [
    "GERMAN_RANGES",
    "ID_FIELD",
    "ID_RULE",
    "ApplicationSchema",
    "FieldError",
    "InvalidApplication",
    "Plausible",
    "field_errors",
]
