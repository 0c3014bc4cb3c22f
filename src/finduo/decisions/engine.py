"""The decision engine: validate -> features -> score -> reasons -> policy -> decision.

One implementation serves one application (:meth:`Engine.decide`, a numpy
row, no pandas) and a batch (:meth:`Engine.decide_many`, vectorised); both
end in the same private method, so a row is decided alike either way and
regardless of the batch it arrives in or its position.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from finduo.decisions.batch import ValidatedBatch, validate_frame
from finduo.decisions.model import Decision, Reason
from finduo.decisions.validation import (
    GERMAN_RANGES,
    ID_FIELD,
    ApplicationSchema,
    FieldError,
    InvalidApplication,
    Plausible,
)
from finduo.errors import ConfigError
from finduo.models.base import RiskModel
from finduo.policy.evaluate import evaluate_policy, required_fields
from finduo.policy.loader import LoadedPolicy
from finduo.policy.schema import ORDERING

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]
OnDecision = Callable[[Decision, str | None], None]


class DecisionStore(Protocol):
    """What the engine needs of the store (see ``finduo.store.Store``)."""

    def record_decision(
        self,
        decision: Decision,
        application: dict[str, Any],
        actor: str,
        *,
        case_priority: float = 0.0,
    ) -> Any: ...

    def stop_switch(self) -> bool: ...


def inputs_fingerprint(application: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces) of an application."""
    canonical = json.dumps(
        dict(application),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _rule_field_kinds(loaded: LoadedPolicy, known: set[str]) -> dict[str, str]:
    extra: dict[str, str] = {}
    for rule in loaded.policy.rules:
        if rule.field in known:
            continue
        numeric = rule.op in ORDERING or isinstance(rule.value, int | float)
        extra[rule.field] = "numeric" if numeric else "categorical"
    return extra


class Engine:
    """Decides applications with one model under one policy.

    Parameters
    ----------
    model : RiskModel
        The champion model (``predict_pd``, ``contributions``, ``spec``).
    policy : LoadedPolicy
        The policy with its version.
    store : Store, optional
        When given, every decision is recorded (decision, audit event and a
        case for a referral, in one transaction) and the stop switch is read.
    actor : str
        Who asks, recorded with each decision.
    """

    def __init__(
        self,
        model: RiskModel,
        policy: LoadedPolicy,
        store: DecisionStore | None = None,
        *,
        actor: str = "system",
    ) -> None:
        self.model = model
        self.loaded = policy
        self.policy = policy.policy
        self.store = store
        self.actor = actor
        spec = model.spec
        names = [f.name for f in spec.features]
        used = sorted(set(names) & set(self.policy.protected))
        if used:
            raise ConfigError(
                f"model {model.version} uses protected characteristic(s) {used}; "
                "protected characteristics must not be model inputs",
                model_version=model.version,
            )
        extra = _rule_field_kinds(policy, set(names))
        # The requested amount is positive whatever the data set calls it.
        ranges = dict(GERMAN_RANGES)
        ranges.setdefault(self.policy.amount_field, Plausible(integer=False, gt=0))
        self.schema = ApplicationSchema(
            spec.features,
            protected=self.policy.protected,
            extra_fields=extra,
            ranges=ranges,
        )
        needs_amount = any(
            band.terms.credit_limit.fraction_of_amount is not None
            or band.terms.deposit.fraction_of_amount is not None
            for band in self.policy.bands
        )
        if needs_amount and self.policy.amount_field not in self.schema.kinds:
            raise ConfigError(
                f"policy {policy.version} sizes terms by the field "
                f"{self.policy.amount_field!r}, which the model's features lack",
                policy_version=policy.version,
            )
        self._rules = {rule.id: rule for rule in self.policy.rules}
        self._record_policy()
        self._policy_fields = sorted(
            required_fields(self.policy) & set(self.schema.kinds)
        )

    # -- entry points ---------------------------------------------------------

    def decide(self, application: Mapping[str, Any]) -> Decision:
        """Decide one application (a mapping of field -> value), no pandas.

        Raises
        ------
        InvalidApplication
            When the application fails validation (every field named).
        """
        started = time.perf_counter()
        record = self.schema.validate(application)
        X = self.model.spec.encode_row(record)
        (decision,) = self._decide(X, [record], started)
        return decision

    def decide_many(self, applications: pd.DataFrame) -> list[Decision]:
        """Decide a batch of valid applications (vectorised), in input order.

        Raises
        ------
        InvalidApplication
            When a row is invalid; use :meth:`decide_batch` to keep going and
            collect rejects instead.
        """
        batch = validate_frame(applications, self.schema)
        if batch.rejects:
            row = batch.rejects[0].row
            errors = [
                FieldError(r.field, f"row {row}: {r.reason}", r.value)
                for r in batch.rejects
                if r.row == row
            ]
            raise InvalidApplication(errors, batch.rejects[0].application_id)
        return self.decide_records(batch.records)

    def decide_batch(
        self, applications: pd.DataFrame
    ) -> tuple[ValidatedBatch, list[Decision]]:
        """Validate a batch, decide its valid rows, return rejects and decisions."""
        batch = validate_frame(applications, self.schema)
        return batch, self.decide_records(batch.records)

    def decide_records(
        self,
        records: Sequence[dict[str, Any]],
        chunk_size: int = 10_000,
        on_decision: OnDecision | None = None,
    ) -> list[Decision]:
        """Decide already validated applications (dicts from the schema).

        ``on_decision(decision, case_id)`` is called after each decision is
        made (and recorded, with a store); ``case_id`` names the case opened
        for a referral, else None.
        """
        out: list[Decision] = []
        for start in range(0, len(records), chunk_size):
            started = time.perf_counter()
            chunk = list(records[start : start + chunk_size])
            frame = pd.DataFrame.from_records(chunk, columns=list(self.schema.fields))
            X = self.model.spec.encode_frame(frame)
            out.extend(self._decide(X, chunk, started, on_decision))
        return out

    # -- the one implementation -----------------------------------------------

    def _decide(
        self,
        X: Matrix,
        records: list[dict[str, Any]],
        started: float,
        on_decision: OnDecision | None = None,
    ) -> list[Decision]:
        n = len(records)
        pd_ = np.asarray(self.model.predict_pd(X), dtype=np.float64)
        scorer = getattr(self.model, "score_points", None)
        points = np.asarray(scorer(X), dtype=np.float64) if callable(scorer) else None
        flagged = [self.model.spec.flagged(r) for r in records]
        flags = [list(f.values()) for f in flagged]
        columns = {
            name: np.asarray([r[name] for r in records], dtype=object)
            for name in self._policy_fields
        }
        ids = [str(r[ID_FIELD]) for r in records]
        stop = self._stop_switch()
        result = evaluate_policy(
            self.policy, columns, pd_, ids, flags, stop_switch=stop
        )
        needs = [i for i in range(n) if result.outcome[i] != "approve"]
        reasons = self._reasons(X, records, needs, result.rules_fired, flagged)
        for i in needs:
            reasons[i] = self._with_rule_reasons(
                records[i], result.rules_fired[i], reasons[i]
            )

        now = datetime.now(UTC)
        decisions = [
            Decision(
                decision_id=uuid.uuid4().hex,
                application_id=ids[i],
                created_at=now,
                pd=float(pd_[i]),
                score_points=None if points is None else round(float(points[i]), 2),
                band=result.band[i],
                outcome=result.outcome[i],  # type: ignore[arg-type]
                recommendation=result.recommendation[i],  # type: ignore[arg-type]
                terms=result.terms[i],
                reasons=reasons.get(i, []),
                referral_reasons=result.referral_reasons[i],
                rules_fired=result.rules_fired[i],
                model_version=self.model.version,
                policy_version=self.loaded.version,
                inputs_fingerprint=inputs_fingerprint(record),
            )
            for i, record in enumerate(records)
        ]
        case_ids, deferred = self._record(decisions, records)
        elapsed_ms = (time.perf_counter() - started) * 1000 / max(n, 1)
        # A store that records later (the API's group commit) logs what it
        # stored itself: here such a decision is only made, not yet kept.
        level = logging.DEBUG if deferred else logging.INFO
        for decision, case_id in zip(decisions, case_ids, strict=True):
            logger.log(
                level,
                "decision %s application %s model %s policy %s outcome %s %.2f ms",
                decision.decision_id,
                decision.application_id,
                decision.model_version,
                decision.policy_version,
                decision.outcome,
                elapsed_ms,
            )
            if on_decision is not None:
                on_decision(decision, case_id)
        return decisions

    def _record(
        self, decisions: list[Decision], records: list[dict[str, Any]]
    ) -> tuple[list[str | None], bool]:
        """Store the decisions (one transaction for a batch).

        Their case ids, and whether the store defers the recording (it
        returns nothing yet).
        """
        if self.store is None:
            return [None] * len(decisions), False
        priorities = [
            self._priority(r, d.pd) for d, r in zip(decisions, records, strict=True)
        ]
        many = getattr(self.store, "record_decisions", None)
        if callable(many) and len(decisions) > 1:
            from finduo.store import NewDecision

            recorded = many(
                [
                    NewDecision(d, dict(r), self.actor, case_priority=p)
                    for d, r, p in zip(decisions, records, priorities, strict=True)
                ]
            )
        else:
            recorded = [
                self.store.record_decision(d, dict(r), self.actor, case_priority=p)
                for d, r, p in zip(decisions, records, priorities, strict=True)
            ]
        deferred = any(item is None for item in recorded)
        return [getattr(item, "case_id", None) for item in recorded], deferred

    def _reasons(
        self,
        X: Matrix,
        records: list[dict[str, Any]],
        rows: list[int],
        fired: list[list[str]],
        flagged: list[dict[str, str]],
    ) -> dict[int, list[Reason]]:
        """Up to ``max_reasons`` reasons for the given rows (refer and decline).

        A field a fired rule names, or an input flagged unseen / out of range
        (a referral reason already), is not named again as a model reason.
        """
        if not rows:
            return {}
        from finduo.reasons import top_reasons

        exclude = [
            {self._rules[r].field for r in fired[i]} | set(flagged[i]) for i in rows
        ]
        found = top_reasons(
            self.model,
            X[rows],
            [records[i] for i in rows],
            k=self.policy.max_reasons,
            protected=self.policy.protected,
            exclude=exclude,
        )
        return dict(zip(rows, found, strict=True))

    def _with_rule_reasons(
        self, record: Mapping[str, Any], fired: list[str], found: list[Reason]
    ) -> list[Reason]:
        """Decline rules that fired lead the reasons; the model's follow."""
        rules = [self._rules[r] for r in fired if self._rules[r].action == "decline"]
        if not rules:
            return found
        first = [
            Reason(
                code=rule.reason_code,
                feature=rule.field,
                value=str(record.get(rule.field)),
                contribution=0.0,
                text=rule.wording(),
            )
            for rule in rules
        ]
        return (first + found)[: self.policy.max_reasons]

    def _record_policy(self) -> None:
        """Keep the policy's text in the store, so each decision's version resolves.

        Idempotent (the store keys versions by the sha256 of the text); stores
        that do not keep policy versions are left alone.
        """
        save = getattr(self.store, "save_policy_version", None)
        if callable(save):
            save(self.policy.name, self.loaded.version, self.loaded.text, self.actor)

    def _stop_switch(self) -> bool:
        return self.store is not None and self.store.stop_switch()

    def _priority(self, record: Mapping[str, Any], pd: float) -> float:
        """Queue priority of a referral: amount at risk x uncertainty of the pd."""
        amount = record.get(self.policy.amount_field)
        at_risk = float(amount) if isinstance(amount, int | float) else 1.0
        return round(at_risk * pd * (1.0 - pd), 4)


__all__ = ["DecisionStore", "Engine", "inputs_fingerprint"]
