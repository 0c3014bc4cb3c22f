"""The policy as data: pydantic models of the YAML file.

A policy says what the machine may decide on its own. Every condition is data
(field, operator, value), never a string that would be evaluated. The models
only validate; evaluation lives in :mod:`finduo.policy.evaluate`.
"""

from __future__ import annotations

import enum
import itertools
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from finduo.decisions.model import PaymentMethod

Scalar = StrictInt | StrictFloat | StrictStr


class Operator(enum.StrEnum):
    """Comparison of an application's field with a rule's value."""

    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"


ORDERING = frozenset({Operator.LT, Operator.LE, Operator.GT, Operator.GE})
MEMBERSHIP = frozenset({Operator.IN, Operator.NOT_IN})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    """A hard rule: when ``field op value`` holds, decline or refer."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
    field: str = Field(min_length=1)
    op: Operator
    value: Scalar | list[Scalar]
    action: Literal["decline", "refer"]
    reason_code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    description: str = ""
    text: dict[Literal["en", "de"], str] = Field(
        default_factory=dict,
        description="Wording of the reason a decline by this rule gives.",
    )

    def wording(self) -> dict[str, str]:
        """The reason's wording by language; the description where none is given."""
        words: dict[str, str] = {str(k): v for k, v in self.text.items()}
        words.setdefault("en", self.description or self.reason_code)
        return words

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Self:
        if self.op in MEMBERSHIP:
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(
                    f"operator {self.op.value!r} needs a non-empty list as value; "
                    f"got {self.value!r}"
                )
        elif isinstance(self.value, list):
            raise ValueError(
                f"operator {self.op.value!r} needs a single value, not a list; "
                f"got {self.value!r}"
            )
        elif self.op in ORDERING and isinstance(self.value, str):
            raise ValueError(
                f"operator {self.op.value!r} compares numbers; got the text "
                f"{self.value!r}"
            )
        return self


class Cutoffs(_Strict):
    """Cut-offs on the probability of default (``pd``).

    ``pd < approve_below`` is approved and ``pd >= decline_from`` declined by
    the machine; the grey zone between goes to a person. ``decline_cutoff`` is
    the machine's own approve/decline view (its recommendation) and lies in
    the grey zone.
    """

    approve_below: float = Field(ge=0, le=1)
    decline_cutoff: float = Field(ge=0, le=1)
    decline_from: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.approve_below <= self.decline_cutoff <= self.decline_from:
            raise ValueError(
                "cut-offs must satisfy approve_below <= decline_cutoff <= "
                f"decline_from; got {self.approve_below} / {self.decline_cutoff} "
                f"/ {self.decline_from}"
            )
        return self


class Amount(_Strict):
    """A money amount: a fraction of the requested amount or a fixed sum."""

    fraction_of_amount: float | None = Field(default=None, ge=0)
    fixed: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0, description="Upper cap.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.fraction_of_amount is None) == (self.fixed is None):
            raise ValueError(
                "give exactly one of fraction_of_amount or fixed; got "
                f"fraction_of_amount={self.fraction_of_amount}, fixed={self.fixed}"
            )
        return self

    def of(self, amount: float) -> float:
        """The sum for a requested ``amount``, capped at ``max``."""
        value = self.fixed if self.fixed is not None else 0.0
        if self.fraction_of_amount is not None:
            value = self.fraction_of_amount * amount
        if self.max is not None:
            value = min(value, self.max)
        return round(value, 2)


class BandTerms(_Strict):
    """The terms an approval in a band carries."""

    payment_methods: list[PaymentMethod] = Field(min_length=1)
    credit_limit: Amount
    deposit: Amount = Amount(fixed=0.0)
    max_term_months: int = Field(ge=1, le=600)
    discount_pct: float = Field(default=0.0, ge=0, le=100)


class Band(_Strict):
    """A risk band: applications with ``pd`` below ``max_pd`` (the last: up to 1)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    max_pd: float = Field(gt=0, le=1)
    terms: BandTerms


class QualitySample(_Strict):
    """Random quality-control referrals, drawn from a hash of the application id."""

    share: float = Field(default=0.0, ge=0, le=1)
    salt: str = Field(default="finduo-qc", min_length=1)


class Policy(_Strict):
    """A decision strategy, as loaded from its YAML file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    description: str = ""
    champion: Literal["lightgbm", "scorecard"]
    amount_field: str = Field(
        default="credit_amount",
        description="Application field with the requested amount (for terms).",
    )
    protected: list[str] = Field(
        default_factory=lambda: ["personal_status_sex", "foreign_worker"]
    )
    fields: dict[str, Literal["numeric", "categorical"]] = Field(
        default_factory=dict,
        description="Application fields rules read that are not model inputs, "
        "with their kind; `policy validate` checks every rule field against "
        "these, the champion's features and the protected characteristics.",
    )
    cutoffs: Cutoffs
    bands: list[Band] = Field(min_length=1)
    rules: list[Rule] = Field(default_factory=list)
    quality_sample: QualitySample = QualitySample()
    max_reasons: int = Field(default=4, ge=1, le=10)

    @field_validator("bands")
    @classmethod
    def _bands_ordered(cls, bands: list[Band]) -> list[Band]:
        bounds = [band.max_pd for band in bands]
        if any(b <= a for a, b in itertools.pairwise(bounds)):
            raise ValueError(f"max_pd must increase from band to band; got {bounds}")
        if bounds[-1] != 1.0:
            raise ValueError(
                f"the last band must reach max_pd 1.0; got {bounds[-1]} for band "
                f"{bands[-1].name!r}"
            )
        names = [band.name for band in bands]
        if len(set(names)) != len(names):
            raise ValueError(f"band names must be unique; got {names}")
        return bands

    @field_validator("rules")
    @classmethod
    def _rule_ids_unique(cls, rules: list[Rule]) -> list[Rule]:
        ids = [rule.id for rule in rules]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"rule ids must be unique; got duplicates {duplicated}")
        return rules

    @model_validator(mode="after")
    def _no_protected_rule(self) -> Self:
        for i, rule in enumerate(self.rules):
            if rule.field in self.protected:
                raise ValueError(
                    f"rules[{i}].field: rule {rule.id!r} uses the protected "
                    f"characteristic {rule.field!r}; protected characteristics "
                    "may not decide"
                )
        return self

    def band_for(self, pd: float) -> Band:
        """The band of one ``pd`` (upper bounds exclusive except the last)."""
        for band in self.bands:
            if pd < band.max_pd:
                return band
        return self.bands[-1]


__all__ = [
    "Amount",
    "Band",
    "BandTerms",
    "Cutoffs",
    "Operator",
    "Policy",
    "QualitySample",
    "Rule",
]
