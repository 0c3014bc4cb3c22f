"""Routing live applications between a champion and a challenger engine."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from finduo.challenger.assign import ChallengerConfig, assign_variant
from finduo.decisions.model import Decision
from finduo.errors import ConfigError

logger = logging.getLogger(__name__)

ID_FIELD = "application_id"


class DecidingEngine(Protocol):
    """What the router needs of an engine (``finduo.decisions.Engine``)."""

    store: Any

    def decide(self, application: Mapping[str, Any]) -> Decision: ...


class RecordingStore(Protocol):
    def record_decision(
        self, decision: Decision, application: dict[str, Any], actor: str, **kw: Any
    ) -> Any: ...


class ChampionChallenger:
    """Decide with the champion, or the challenger for its share of traffic.

    Parameters
    ----------
    champion : Engine
        Decides (and, with a store, records) every application it is given.
    challenger : Engine
        Must be built **without** a store: the router records its decisions
        itself, marked ``challenger`` or ``shadow``.
    config : ChallengerConfig
        Share, mode and salt.
    store : Store, optional
        Where challenger and shadow decisions are recorded (default: the
        champion's store).
    actor : str
        Recorded with challenger and shadow decisions.
    """

    def __init__(
        self,
        champion: DecidingEngine,
        challenger: DecidingEngine,
        config: ChallengerConfig,
        store: RecordingStore | None = None,
        *,
        actor: str = "system",
    ) -> None:
        if getattr(challenger, "store", None) is not None:
            raise ConfigError(
                "the challenger engine must be built without a store; the "
                "router records its decisions with their variant"
            )
        self.champion = champion
        self.challenger = challenger
        self.config = config
        self.store = store if store is not None else champion.store
        self.actor = actor

    def _record(self, decision: Decision, application: Mapping[str, Any]) -> None:
        if self.store is None:
            return
        # Store what the engine itself would store: the validated application.
        schema = getattr(self.challenger, "schema", None)
        record = schema.validate(application) if schema is not None else application
        # A shadow decision is never acted on: no case for a person to resolve.
        shadow = {"open_case": False} if decision.variant == "shadow" else {}
        self.store.record_decision(decision, dict(record), self.actor, **shadow)

    def decide(self, application: Mapping[str, Any]) -> Decision:
        """The decision to act on; a shadow decision is recorded on the side."""
        app_id = str(application.get(ID_FIELD, ""))
        side = assign_variant(app_id, self.config)
        if self.config.mode == "split" and side == "challenger":
            decision = self.challenger.decide(application).model_copy(
                update={"variant": "challenger"}
            )
            self._record(decision, application)
            logger.info("application routed to challenger (split)")
            return decision
        decision = self.champion.decide(application)
        if self.config.mode == "shadow" and side == "challenger":
            shadow = self.challenger.decide(application).model_copy(
                update={"variant": "shadow"}
            )
            self._record(shadow, application)
            logger.info("shadow decision %s recorded", shadow.decision_id)
        return decision


__all__ = ["ChampionChallenger", "DecidingEngine"]
