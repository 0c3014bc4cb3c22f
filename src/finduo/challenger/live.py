"""A challenger on live traffic: its setting in the store and the routing engine.

An approver starts a challenger (``finduo challenger start``): a policy
version and/or a model version other than the champion's, a share, a mode
(``split`` or ``shadow``) and a salt. The configuration is a durable store
setting (key ``challenger``, audited as ``setting.changed`` with who set it).
``finduo decide`` reads it at each run and the API at each worker's start.

:class:`RoutedEngine` is an :class:`~finduo.decisions.engine.Engine` (the
champion) that sends the challenger's share to a second engine. One
application or a batch, it keeps the input order and records what it decides
in that order:

* ``split``: the challenger's decisions are acted on — answered, stored with
  ``variant="challenger"``, a case opened for a referral;
* ``shadow``: the champion decides everything; the challenger's decisions on
  its share are stored with ``variant="shadow"`` and no case, never answered.

Both read the stop switch. In a shadow, an application the challenger cannot
decide (e.g. a field its model needs is missing) is logged and skipped; the
champion's decision stands.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from finduo.challenger.assign import ChallengerConfig, assign_variant
from finduo.decisions.engine import Engine, OnDecision
from finduo.decisions.model import Decision
from finduo.decisions.validation import ID_FIELD
from finduo.errors import ConfigError, ConflictError, FinduoError
from finduo.models.base import RiskModel
from finduo.policy.loader import LoadedPolicy

logger = logging.getLogger(__name__)

SETTING_KEY = "challenger"

# States a version must have reached before it may act on applicants; a
# shadow is never acted on, so a proposal or a candidate may run in one.
ACTING_POLICY_STATES = ("approved", "active")
ACTING_MODEL_STATES = ("approved", "active")


class LiveChallenger(BaseModel):
    """The challenger in force, as stored in the ``challenger`` setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["split", "shadow"]
    share: float = Field(ge=0.0, le=1.0)
    salt: str = Field(min_length=1)
    policy: str | None = Field(
        default=None,
        description="Content hash of the challenger's policy version; None: "
        "the champion's policy.",
    )
    model: str | None = Field(
        default=None,
        description="Challenger model version; None: the champion's model.",
    )
    started_by: str
    started_at: datetime

    @property
    def config(self) -> ChallengerConfig:
        return ChallengerConfig(share=self.share, mode=self.mode, salt=self.salt)


def current_challenger(store: Any) -> LiveChallenger | None:
    """The challenger in force, or None (none started, or stopped)."""
    raw = store.get_setting(SETTING_KEY)
    if not raw or raw == "off":
        return None
    try:
        return LiveChallenger.model_validate_json(raw)
    except ValidationError as exc:
        raise ConfigError(
            f"the store setting {SETTING_KEY!r} is not a valid challenger "
            f"configuration: {exc.errors()[0]['msg']}; stop it with "
            "`finduo challenger stop` and start it again",
            setting=SETTING_KEY,
        ) from exc


def start_challenger(
    store: Any,
    actor: str | None,
    *,
    mode: Literal["split", "shadow"],
    share: float,
    salt: str,
    policy_ref: str | None = None,
    model_version: str | None = None,
) -> LiveChallenger:
    """Put a challenger on live traffic (approver role; audited).

    Raises
    ------
    ConfigError
        When neither a policy nor a model is named.
    ConflictError
        When a version that would act on applicants (``split``) is not yet
        approved.
    """
    from finduo.lifecycle import Step, require_step, resolve

    subject = policy_ref or model_version or "-"
    identity = require_step(store, actor, Step.ACTIVATE, "challenger", subject)
    if policy_ref is None and model_version is None:
        raise ConfigError(
            "a challenger needs a policy version (--policy) or a model version "
            "(--model) to differ from the champion"
        )
    policy_hash = None
    if policy_ref is not None:
        version = resolve(store, policy_ref)
        _check_state(
            store, identity.name, mode, "policy", version.content_hash,
            version.state, ACTING_POLICY_STATES,
        )  # fmt: skip
        policy_hash = version.content_hash
    if model_version is not None:
        model = store.get_model_version(model_version)
        _check_state(
            store, identity.name, mode, "model", model.version, model.state,
            ACTING_MODEL_STATES,
        )  # fmt: skip
    live = LiveChallenger(
        mode=mode,
        share=share,
        salt=salt,
        policy=policy_hash,
        model=model_version,
        started_by=identity.name,
        started_at=datetime.now(UTC),
    )
    store.set_setting(SETTING_KEY, live.model_dump_json(), identity.name)
    return live


def _check_state(
    store: Any,
    actor: str,
    mode: str,
    kind: str,
    ref: str,
    state: str,
    allowed: tuple[str, ...],
) -> None:
    if mode == "shadow" or state in allowed:
        return
    store.record_event(
        actor,
        "challenger.start_refused",
        kind,
        ref,
        {"rule": "approved_to_act", "state": state, "mode": mode},
    )
    raise ConflictError(
        f"{kind} {ref[:12]} is {state}: a challenger that decides applications "
        f"(split) must be {' or '.join(allowed)}; run it in shadow, or have it "
        "approved first",
        state=state,
    )


def stop_challenger(store: Any, actor: str | None) -> None:
    """Take the challenger off live traffic (approver or admin; audited)."""
    from finduo.lifecycle import Step, require_step

    identity = require_step(store, actor, Step.RETIRE, "challenger", SETTING_KEY)
    store.set_setting(SETTING_KEY, "off", identity.name)


# -- routing ------------------------------------------------------------------


@dataclass
class _Pending:
    decision: Decision
    application: dict[str, Any]
    actor: str
    priority: float


class _Collector:
    """The store as an engine inside the router sees it: decisions are held.

    The router records them afterwards in input order; the stop switch and
    the policy text go to the real store at once.
    """

    def __init__(self, store: Any) -> None:
        self._store = store
        self.items: list[_Pending] = []

    def stop_switch(self) -> bool:
        return self._store is not None and bool(self._store.stop_switch())

    def save_policy_version(self, *args: Any, **kwargs: Any) -> Any:
        save = getattr(self._store, "save_policy_version", None)
        return save(*args, **kwargs) if callable(save) else None

    def record_decision(
        self,
        decision: Decision,
        application: dict[str, Any],
        actor: str,
        *,
        case_priority: float = 0.0,
    ) -> None:
        self.items.append(_Pending(decision, application, actor, case_priority))

    def take(self) -> list[_Pending]:
        items, self.items = self.items, []
        return items


class RoutedEngine(Engine):
    """The champion engine, with a challenger on a share of the traffic.

    Parameters
    ----------
    model, policy : the champion's
    store : Store or the API's engine view, optional
        Where acted-on decisions are recorded (as by a plain engine).
    challenger_model, challenger_policy : the challenger's
    config : ChallengerConfig
    shadow_store : Store, optional
        Where shadow decisions are recorded (committed at once, no case);
        default ``store``.
    actor : str
    """

    def __init__(
        self,
        model: RiskModel,
        policy: LoadedPolicy,
        store: Any = None,
        *,
        challenger_model: RiskModel,
        challenger_policy: LoadedPolicy,
        config: ChallengerConfig,
        shadow_store: Any = None,
        actor: str = "system",
    ) -> None:
        self._target = store
        self._shadow_target = shadow_store if shadow_store is not None else store
        self._held = _Collector(store)
        super().__init__(model, policy, self._held, actor=actor)
        self.challenger = Engine(
            challenger_model, challenger_policy, _Collector(store), actor=actor
        )
        missing = sorted(set(self.challenger.schema.fields) - set(self.schema.fields))
        if missing:
            raise ConfigError(
                f"the challenger (model {challenger_model.version}, policy "
                f"{challenger_policy.version}) needs field(s) {missing} that the "
                "champion's applications do not carry",
                fields=missing,
            )
        self.config = config

    # -- entry points ---------------------------------------------------------

    def decide(self, application: Mapping[str, Any]) -> Decision:
        """Decide one application with the side it is assigned to."""
        side = self._side(str(application.get(ID_FIELD, "")))
        if self.config.mode == "split" and side == "challenger":
            self.challenger.decide(application)
            acted = self._stamp(self._challenger_held().take(), "challenger")
            return self._flush(acted, None)[0]
        super().decide(application)
        acted = self._held.take()
        if self.config.mode == "shadow" and side == "challenger":
            self._shadow(partial(self.challenger.decide, application))
        return self._flush(acted, None)[0]

    def decide_records(
        self,
        records: Sequence[dict[str, Any]],
        chunk_size: int = 10_000,
        on_decision: OnDecision | None = None,
    ) -> list[Decision]:
        """Decide validated applications; answered and recorded in input order."""
        out: list[Decision] = []
        for start in range(0, len(records), chunk_size):
            chunk = list(records[start : start + chunk_size])
            sides = [self._side(str(r[ID_FIELD])) for r in chunk]
            to_challenger = [s == "challenger" for s in sides]
            split = self.config.mode == "split"
            pairs = list(zip(chunk, to_challenger, strict=True))
            champion_rows = [r for r, c in pairs if not (split and c)]
            challenger_rows = [r for r, c in pairs if c]
            if champion_rows:
                super().decide_records(champion_rows, chunk_size)
            champion = iter(self._held.take())
            if split:
                if challenger_rows:
                    self.challenger.decide_records(challenger_rows, chunk_size)
                chall = iter(self._stamp(self._challenger_held().take(), "challenger"))
                acted = [next(chall) if c else next(champion) for c in to_challenger]
            else:
                acted = list(champion)
                if challenger_rows:
                    self._shadow(
                        partial(
                            self.challenger.decide_records, challenger_rows, chunk_size
                        )
                    )
            out.extend(self._flush(acted, on_decision))
        return out

    # -- helpers ----------------------------------------------------------------

    def _side(self, application_id: str) -> str:
        return assign_variant(application_id, self.config)

    def _challenger_held(self) -> _Collector:
        held = self.challenger.store
        assert isinstance(held, _Collector)
        return held

    @staticmethod
    def _stamp(items: list[_Pending], variant: str) -> list[_Pending]:
        for item in items:
            item.decision = item.decision.model_copy(update={"variant": variant})
        return items

    def _shadow(self, decide: Callable[[], object]) -> None:
        """Run the challenger in shadow and record its decisions, never acted on."""
        started = time.perf_counter()
        try:
            decide()
        except FinduoError as exc:
            self._challenger_held().take()
            logger.warning("shadow challenger could not decide: %s", exc)
            return
        items = self._stamp(self._challenger_held().take(), "shadow")
        store = self._shadow_target
        if store is None or not items:
            return
        from finduo.store import NewDecision

        store.record_decisions(
            [
                NewDecision(i.decision, i.application, i.actor, open_case=False)
                for i in items
            ]
        )
        logger.info(
            "%d shadow decision(s) recorded in %.1f ms",
            len(items),
            (time.perf_counter() - started) * 1000,
        )

    def _flush(
        self, items: list[_Pending], on_decision: OnDecision | None
    ) -> list[Decision]:
        """Record acted-on decisions in order, as the plain engine would."""
        store = self._target
        case_ids: list[str | None] = [None] * len(items)
        if store is not None and items:
            many = getattr(store, "record_decisions", None)
            if callable(many) and len(items) > 1:
                from finduo.store import NewDecision

                recorded = many(
                    [
                        NewDecision(
                            i.decision, i.application, i.actor, case_priority=i.priority
                        )
                        for i in items
                    ]
                )
            else:
                recorded = [
                    store.record_decision(
                        i.decision, i.application, i.actor, case_priority=i.priority
                    )
                    for i in items
                ]
            case_ids = [getattr(r, "case_id", None) for r in recorded]
        if on_decision is not None:
            for item, case_id in zip(items, case_ids, strict=True):
                on_decision(item.decision, case_id)
        return [i.decision for i in items]


def with_live_challenger(
    engine: Engine,
    store: Any,
    *,
    config_store: Any = None,
    shadow_store: Any = None,
) -> Engine:
    """``engine`` itself, or a :class:`RoutedEngine` when a challenger is in force.

    ``config_store`` is where the ``challenger`` setting and the versions are
    read (default ``store``; the API passes its store and gives ``store`` as
    its engine view).
    """
    source = config_store if config_store is not None else store
    if source is None:
        return engine
    live = current_challenger(source)
    if live is None:
        return engine
    from finduo.lifecycle.policies import loaded
    from finduo.models import load_model

    policy = (
        loaded(source.get_policy_version(live.policy)) if live.policy else engine.loaded
    )
    model = (
        load_model(source.get_model_version(live.model).path)
        if live.model
        else engine.model
    )
    routed = RoutedEngine(
        engine.model,
        engine.loaded,
        store,
        challenger_model=model,
        challenger_policy=policy,
        config=live.config,
        shadow_store=shadow_store,
        actor=engine.actor,
    )
    logger.info(
        "challenger in %s mode on %.0f%% of applications: model %s, policy %s",
        live.mode,
        live.share * 100,
        model.version,
        policy.version,
    )
    return routed


def describe(live: LiveChallenger) -> str:
    """One line for the CLI and logs."""
    return json.dumps(live.model_dump(mode="json"), sort_keys=True)


__all__ = [
    "SETTING_KEY",
    "LiveChallenger",
    "RoutedEngine",
    "current_challenger",
    "describe",
    "start_challenger",
    "stop_challenger",
    "with_live_challenger",
]
