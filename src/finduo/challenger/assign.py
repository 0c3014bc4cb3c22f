"""Deterministic assignment of an application to champion or challenger."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["split", "shadow"]
Side = Literal["champion", "challenger"]


class ChallengerConfig(BaseModel):
    """How much traffic a challenger gets and whether it acts.

    Attributes
    ----------
    share : float in [0, 1]
        Share of applications assigned to the challenger (in ``shadow`` mode:
        the share it scores alongside the champion; 1.0 shadows everything).
    mode : "split" or "shadow"
    salt : str
        Changes the assignment; keep it fixed for one experiment so that
        results stay reproducible, change it for the next one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    share: float = Field(default=0.1, ge=0.0, le=1.0)
    mode: Mode = "split"
    salt: str = Field(default="finduo-challenger", min_length=1)


def assignment_draw(application_id: str, salt: str) -> float:
    """A uniform number in [0, 1) fixed by the application id and the salt.

    Uses a different prefix from the policy's quality sample so that the two
    draws are independent.
    """
    digest = hashlib.sha256(f"challenger:{salt}:{application_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def assign_variant(application_id: str, config: ChallengerConfig) -> Side:
    """``"challenger"`` for the configured share of application ids, else champion."""
    if config.share <= 0.0:
        return "champion"
    draw = assignment_draw(application_id, config.salt)
    return "challenger" if draw < config.share else "champion"


__all__ = ["ChallengerConfig", "Mode", "Side", "assign_variant", "assignment_draw"]
