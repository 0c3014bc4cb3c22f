"""The decision record: what finduo answers for one application and stores.

These models are shared by the engine, the store, the API and the console, so
they carry no behaviour beyond validation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["approve", "refer", "decline"]
Recommendation = Literal["approve", "decline"]
PaymentMethod = Literal["invoice", "direct_debit", "card", "prepayment"]
Variant = Literal["champion", "challenger", "shadow"]


class Terms(BaseModel):
    """The commercial terms granted with an approval."""

    model_config = ConfigDict(extra="forbid")

    payment_methods: list[PaymentMethod] = Field(
        description="Payment methods the customer may use; invoice only for low risk."
    )
    credit_limit: float = Field(ge=0, description="Credit limit in currency units.")
    deposit: float = Field(ge=0, description="Deposit required, in currency units.")
    max_term_months: int = Field(ge=0, description="Longest contract term, months.")
    discount_pct: float = Field(
        default=0.0, ge=0, le=100, description="Discount granted, in percent."
    )


class Reason(BaseModel):
    """One readable cause that raised the risk, ranked by contribution."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Reason code from the catalogue, e.g. CHK_NEG.")
    feature: str = Field(description="Input the reason rests on.")
    value: str = Field(description="The applicant's value of that input, as text.")
    contribution: float = Field(
        description="How much it raised the risk (log-odds for LightGBM, "
        "points lost for the scorecard)."
    )
    text: dict[str, str] = Field(
        description="Readable wording by language code ('en', 'de')."
    )


class Decision(BaseModel):
    """What the system did for one application."""

    model_config = ConfigDict(extra="forbid")

    decision_id: str
    application_id: str
    created_at: datetime
    pd: float = Field(ge=0, le=1, description="Calibrated probability of default.")
    score_points: float | None = Field(
        default=None, description="Scorecard points, where the scorecard decided."
    )
    band: str
    outcome: Outcome
    recommendation: Recommendation = Field(
        description="The machine's own view on the pd alone: approve or decline. "
        "A resolution that differs from it is an override."
    )
    terms: Terms | None = None
    reasons: list[Reason] = Field(default_factory=list)
    referral_reasons: list[str] = Field(default_factory=list)
    rules_fired: list[str] = Field(default_factory=list)
    model_version: str
    policy_version: str
    inputs_fingerprint: str = Field(
        description="sha256 of the canonical JSON of the application's inputs."
    )
    variant: Variant = "champion"


__all__ = [
    "Decision",
    "Outcome",
    "PaymentMethod",
    "Reason",
    "Recommendation",
    "Terms",
    "Variant",
]
