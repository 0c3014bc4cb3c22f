"""What one worker holds: the engine (model and policy, loaded once), the
store and the metrics; and the two things every request needs from them —
who is asking, and a decision that is committed before it is answered.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from time import monotonic, perf_counter
from typing import Any

from pydantic import BaseModel

from finduo.api.metrics import ApiMetrics
from finduo.decisions.engine import Engine
from finduo.errors import AuthError, FinduoError
from finduo.identity import Identity, parse_roles, token_from_header
from finduo.settings import Settings
from finduo.store import Store
from finduo.store.records import RecordedDecision

log = logging.getLogger(__name__)


def request_hash(body: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a request body (for Idempotency-Key)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _TtlCache:
    """A few seconds of memory for values that are costly to look up each time."""

    def __init__(self, seconds: float, max_items: int = 10_000) -> None:
        self.seconds = seconds
        self.max_items = max_items
        self._items: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any:
        if self.seconds <= 0:
            return None
        item = self._items.get(key)
        if item is None or item[0] < monotonic():
            return None
        return item[1]

    def put(self, key: str, value: Any) -> None:
        if self.seconds <= 0:
            return
        if len(self._items) >= self.max_items:
            self._items.clear()
        self._items[key] = (monotonic() + self.seconds, value)


class Service:
    """The long-lived state of one worker process.

    Parameters
    ----------
    token_cache_seconds : float
        How long a token's identity is remembered; a revoked token is refused
        at most this long after revocation. 0 looks every token up each time.
    stop_switch_seconds : float
        How long the stop switch's state is remembered between reads.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        engine: Engine,
        metrics: ApiMetrics,
        *,
        token_cache_seconds: float = 2.0,
        stop_switch_seconds: float = 1.0,
    ) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.metrics = metrics
        self._identities = _TtlCache(token_cache_seconds)
        self._stop = _TtlCache(stop_switch_seconds, max_items=1)

    # -- identity ---------------------------------------------------------
    def identify(self, authorization: str | None) -> Identity:
        """The identity behind an ``Authorization`` header.

        Raises
        ------
        AuthError
            Without a header, or for an unknown or revoked token.
        """
        token = token_from_header(authorization)
        key = hashlib.sha256(token.encode("utf-8")).hexdigest()
        identity: Identity | None = self._identities.get(key)
        if identity is not None:
            return identity
        found = self.store.identity_for_token(token)
        if found is None:
            raise AuthError("the token is unknown or has been revoked.")
        name, roles = found
        identity = Identity(name=name, roles=parse_roles(list(roles)))
        self._identities.put(key, identity)
        return identity

    def stop_switch_on(self) -> bool:
        """Whether the stop switch is on (every application goes to review)."""
        state: bool | None = self._stop.get("stop")
        if state is None:
            state = bool(self.store.stop_switch())
            self._stop.put("stop", state)
        return state

    # -- decisions --------------------------------------------------------
    def decide(
        self,
        application: dict[str, Any],
        *,
        actor: str,
        idempotency_key: str | None = None,
        channel: str | None = None,
    ) -> RecordedDecision:
        """Decide one application and commit it (decision + audit event + case).

        Returns only after the store has committed, so that an answer is never
        lost. A repeated ``idempotency_key`` with the same application returns
        the first decision; with another application it raises
        :class:`~finduo.errors.IdempotencyError`.
        """
        started = perf_counter()
        decision = self.engine.decide(application)
        decided = perf_counter()
        recorded: RecordedDecision = self.store.record_decision(
            decision,
            application,
            actor,
            channel=channel,
            idempotency_key=idempotency_key,
        )
        stored = perf_counter()
        self.metrics.observe_steps(
            {"engine": decided - started, "store": stored - decided}
        )
        self._count(recorded, started, stored)
        return recorded

    def decide_batch(
        self,
        applications: list[dict[str, Any]],
        *,
        actor: str,
        idempotency_key: str | None = None,
        channel: str | None = None,
    ) -> list[RecordedDecision]:
        """Decide a batch (vectorised) and commit each decision.

        With an ``idempotency_key`` item ``i`` is stored under ``KEY#i`` with
        the hash of the whole batch, so a retried batch replays every item
        already committed and decides the rest, and the same key with another
        batch is refused.
        """
        started = perf_counter()
        decisions = self.engine.decide_records(applications)
        batch_hash = request_hash({"applications": applications})
        out: list[RecordedDecision] = []
        for index, (decision, application) in enumerate(
            zip(decisions, applications, strict=True)
        ):
            item_key = f"{idempotency_key}#{index}" if idempotency_key else None
            recorded: RecordedDecision = self.store.record_decision(
                decision,
                application,
                actor,
                channel=channel,
                idempotency_key=item_key,
                request_hash=batch_hash if item_key else None,
            )
            self._count(recorded, started, perf_counter())
            out.append(recorded)
        return out

    def _count(self, recorded: RecordedDecision, started: float, ended: float) -> None:
        decision = recorded.decision
        self.metrics.decisions.labels(decision.outcome).inc()
        log.info(
            "decision %s outcome=%s model=%s policy=%s replayed=%s ms=%.2f",
            decision.decision_id,
            decision.outcome,
            decision.model_version,
            decision.policy_version,
            recorded.replayed,
            (ended - started) * 1000,
        )

    # -- readiness --------------------------------------------------------
    @property
    def model_version(self) -> str | None:
        model = getattr(self.engine, "model", None)
        return getattr(model, "version", None)

    @property
    def policy_version(self) -> str | None:
        loaded = getattr(self.engine, "loaded", None)
        return getattr(loaded, "version", None)

    @property
    def application_model(self) -> type[BaseModel]:
        model: type[BaseModel] = self.engine.schema.model
        return model

    @property
    def application_example(self) -> dict[str, Any]:
        from finduo.api.example import example_application

        return example_application(self.engine)

    def readiness(self) -> dict[str, bool]:
        """Each check of ``GET /v1/ready``: store, model, policy."""
        try:
            store_ok = self.store.schema_revision() is not None
        except FinduoError:
            store_ok = False
        except Exception:  # the probe must answer, whatever the store raised
            log.warning("readiness: the store check failed", exc_info=True)
            store_ok = False
        return {
            "store": store_ok,
            "model": self.model_version is not None,
            "policy": self.policy_version is not None,
        }


class EngineStoreView:
    """What the engine may see of the store here: the stop switch, cached.

    The engine records decisions itself when it holds a store; the API
    records them instead (with the Idempotency-Key), so this view's
    ``record_decision`` does nothing.
    """

    def __init__(self, service: Service) -> None:
        self._service = service

    def stop_switch_on(self) -> bool:
        return self._service.stop_switch_on()

    def record_decision(self, *_args: Any, **_kwargs: Any) -> None:
        return None


__all__ = ["EngineStoreView", "Service", "request_hash"]
