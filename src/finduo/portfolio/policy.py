"""The early-warning policy: which action the scan proposes for a customer.

Same machinery as the onboarding policy (:mod:`finduo.policy`): a YAML file,
validated by pydantic on load with errors naming the field path, conditions as
data (field, operator from :class:`finduo.policy.Operator`, value) never as
evaluated strings, and a version that is the hash of the validated content.
The onboarding schema speaks of applications, bands and terms; an existing
customer needs actions instead, hence this schema beside it.

Rules are tried in order; the first whose conditions all hold names the
action. A customer is on the watchlist when ``pd >= watch_from_pd`` or a rule
fires. An action on a customer whose exposure is at least
``case_exposure_from`` opens a review case in the onboarding queue.

A customer who owes less than ``act_from_exposure`` (default 1: nothing owed)
gets no action whatever the rules say: there is nothing to remind of, to plan
or to freeze. Such a customer stays on the watchlist for monitoring when the
pd calls for it, with the rule shown as :data:`NOTHING_OWED`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from finduo.errors import PolicyError
from finduo.policy.schema import MEMBERSHIP, Operator

ACTIONS: tuple[str, ...] = ("none", "reminder", "payment_plan", "limit_freeze", "case")
# Rule label of customers left without action because they owe (next to) nothing;
# rule index -2 (-1 is "no rule fired").
NOTHING_OWED = "NOTHING_OWED"
NOTHING_OWED_INDEX = -2
Action = Literal["reminder", "payment_plan", "limit_freeze", "case"]
SHIPPED = "early-warning"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """``field op value`` on a number: pd, a behavioural feature or the exposure."""

    field: str = Field(min_length=1)
    op: Operator
    value: float

    @model_validator(mode="after")
    def _numeric_operator(self) -> Self:
        if self.op in MEMBERSHIP:
            raise ValueError(
                f"operator {self.op.value!r} needs a list; early-warning conditions "
                "compare numbers"
            )
        return self


class ActionRule(_Strict):
    """When every condition holds, propose ``action``."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
    action: Action
    when: list[Condition] = Field(min_length=1)
    reason_code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    description: str = ""


class EarlyWarningPolicy(_Strict):
    """An early-warning strategy, as loaded from its YAML file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    description: str = ""
    watch_from_pd: float = Field(gt=0, le=1)
    exposure_field: str = Field(default="balance", min_length=1)
    case_exposure_from: float = Field(ge=0)
    act_from_exposure: float = Field(default=1.0, gt=0)
    max_reasons: int = Field(default=3, ge=1, le=10)
    protected: list[str] = Field(default_factory=lambda: ["sex"])
    rules: list[ActionRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _checked(self) -> Self:
        ids = [rule.id for rule in self.rules]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"rule ids must be unique; got duplicates {duplicated}")
        for i, rule in enumerate(self.rules):
            for cond in rule.when:
                if cond.field in self.protected:
                    raise ValueError(
                        f"rules[{i}].when: rule {rule.id!r} uses the protected "
                        f"characteristic {cond.field!r}"
                    )
        return self

    def fields(self) -> set[str]:
        """Every input the rules read (besides ``pd``), and the exposure."""
        names = {c.field for rule in self.rules for c in rule.when}
        return (names | {self.exposure_field}) - {"pd"}


@dataclass(frozen=True)
class LoadedEarlyWarning:
    policy: EarlyWarningPolicy
    version: str
    source: str


def _version(policy: EarlyWarningPolicy) -> str:
    canonical = json.dumps(
        policy.model_dump(mode="json"), sort_keys=True, separators=(",", ":")
    )
    return f"{policy.name}-{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"


def parse_early_warning(text: str, source: str = "<text>") -> LoadedEarlyWarning:
    """Parse and validate early-warning policy YAML; raise :class:`PolicyError`."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy {source} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"policy {source} must be a mapping of fields")
    try:
        policy = EarlyWarningPolicy.model_validate(raw)
    except ValidationError as exc:
        lines = [f"policy {source} is invalid:"]
        for error in exc.errors(include_url=False):
            path = ".".join(str(p) for p in error["loc"]) or "(top level)"
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"  {path}: {message}; got {error.get('input')!r}")
        raise PolicyError("\n".join(lines), path=source) from exc
    return LoadedEarlyWarning(policy, _version(policy), source)


def load_early_warning(path: Path | str | None = None) -> LoadedEarlyWarning:
    """Load a policy file, or the shipped ``early-warning`` policy by default."""
    if path is None or path == SHIPPED:
        text = (
            resources.files("finduo.policy")
            .joinpath(f"policies/{SHIPPED}.yaml")
            .read_text(encoding="utf-8")
        )
        return parse_early_warning(text, f"{SHIPPED}.yaml")
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"policy file {file} cannot be read: {exc.strerror}") from exc
    return parse_early_warning(text, str(file))


def _holds(cond: Condition, values: np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        match cond.op:
            case Operator.LT:
                out = x < cond.value
            case Operator.LE:
                out = x <= cond.value
            case Operator.GT:
                out = x > cond.value
            case Operator.GE:
                out = x >= cond.value
            case Operator.EQ:
                out = x == cond.value
            case _:
                out = x != cond.value
    return out & ~np.isnan(x)  # a missing value never fires a rule


def propose_actions(
    policy: EarlyWarningPolicy, pd: np.ndarray, columns: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Action and rule of every customer, vectorised.

    Parameters
    ----------
    policy : EarlyWarningPolicy
    pd : numpy.ndarray, shape (n,)
        Calibrated probability of default in the next period.
    columns : mapping of str to numpy.ndarray, shape (n,) each
        Every field in :meth:`EarlyWarningPolicy.fields`.

    Returns
    -------
    action : numpy.ndarray of int8, shape (n,)
        Index into :data:`ACTIONS` (0 = none).
    rule : numpy.ndarray of int16, shape (n,)
        Index of the rule that fired, -1 for none, -2 (:data:`NOTHING_OWED`)
        where a rule fired but the customer owes less than
        ``act_from_exposure``.
    """
    missing = sorted(policy.fields() - set(columns))
    if missing:
        raise PolicyError(
            f"policy {policy.name!r} reads fields the scan does not have: {missing}"
        )
    n = pd.shape[0]
    action = np.zeros(n, dtype=np.int8)
    rule_index = np.full(n, -1, dtype=np.int16)
    open_ = np.ones(n, dtype=bool)
    for i, rule in enumerate(policy.rules):
        hit = open_.copy()
        for cond in rule.when:
            values = pd if cond.field == "pd" else columns[cond.field]
            hit &= _holds(cond, values)
        action[hit] = ACTIONS.index(rule.action)
        rule_index[hit] = i
        open_ &= ~hit
    exposure = np.asarray(columns[policy.exposure_field], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        owes_nothing = exposure < policy.act_from_exposure  # unknown (NaN): acts
    action[owes_nothing] = 0
    rule_index[owes_nothing & (rule_index >= 0)] = NOTHING_OWED_INDEX
    return action, rule_index


def rule_labels(rule_ids: Sequence[str]) -> np.ndarray:
    """Lookup of rule indexes to labels: ids, then NOTHING_OWED (-2), "" (-1)."""
    return np.array([*rule_ids, NOTHING_OWED, ""], dtype=object)


__all__ = [
    "ACTIONS",
    "NOTHING_OWED",
    "NOTHING_OWED_INDEX",
    "ActionRule",
    "Condition",
    "EarlyWarningPolicy",
    "LoadedEarlyWarning",
    "load_early_warning",
    "parse_early_warning",
    "propose_actions",
    "rule_labels",
]
