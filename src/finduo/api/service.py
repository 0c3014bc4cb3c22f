"""What one worker holds: the engine (model and policy, loaded once), the
store and the metrics; and the two things every request needs from them —
who is asking, and a decision that is committed before it is answered.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from time import monotonic, perf_counter
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from finduo.api.commit import GroupCommitter
from finduo.api.metrics import ApiMetrics
from finduo.decisions.engine import Engine
from finduo.decisions.model import Decision
from finduo.errors import AuthError, FinduoError
from finduo.identity import Identity, parse_roles, token_from_header
from finduo.settings import Settings
from finduo.store import NewDecision, Store
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
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        engine: Engine,
        metrics: ApiMetrics,
        *,
        token_cache_seconds: float = 2.0,
    ) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.metrics = metrics
        self._identities = _TtlCache(token_cache_seconds)
        self.committer = GroupCommitter(store)
        self.reloader: Any = None  # a finduo.api.reload.Reloader when following

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

    # -- decisions --------------------------------------------------------
    async def decide(
        self,
        application: dict[str, Any],
        *,
        actor: str,
        idempotency_key: str | None = None,
        channel: str | None = None,
        redecide: bool = False,
    ) -> RecordedDecision:
        """Decide one application and commit it (decision + audit event + case).

        Returns only after the store has committed (group commit, shared with
        concurrent requests), so that an answer is never lost. A repeated
        ``idempotency_key`` with the same application returns the first
        decision; with another application it raises
        :class:`~finduo.errors.IdempotencyError`. An application id decided
        before is refused (:class:`~finduo.errors.ConflictError`) unless
        ``redecide``.
        """
        request = _Request(
            actor, channel, idempotency_key, None, single=True, once=not redecide
        )
        started = perf_counter()
        token = _current.set(request)
        try:
            # On the event loop: a fraction of a millisecond, cheaper than a
            # thread hop.
            self.engine.decide(application)
        finally:
            _current.reset(token)
        await self._commit(request)
        if redecide:
            self._supersede(request)
        self._observe(request, started)
        return request.results[0]

    async def decide_batch(
        self,
        applications: list[dict[str, Any]],
        *,
        actor: str,
        idempotency_key: str | None = None,
        channel: str | None = None,
        redecide: bool = False,
    ) -> list[RecordedDecision]:
        """Decide a batch (vectorised, off the event loop) and commit it.

        The batch is stored in one transaction: every decision or none. With an
        ``idempotency_key`` item ``i`` is stored under ``KEY#i`` with the hash
        of the whole batch, so a retried batch replays its decisions and the
        same key with another batch is refused.
        """
        batch_hash = request_hash({"applications": applications})
        request = _Request(
            actor, channel, idempotency_key, batch_hash, single=False, once=not redecide
        )
        started = perf_counter()

        def decide_all() -> None:
            token = _current.set(request)
            try:
                self.engine.decide_records(applications)
            finally:
                _current.reset(token)

        await run_in_threadpool(decide_all)
        await self._commit(request)
        if redecide:
            self._supersede(request)
        self._observe(request, started)
        return request.results

    def _supersede(self, request: _Request) -> None:
        """Close the open cases of the earlier decisions of re-decided applications
        (as ``finduo decide --redecide`` does), once the new ones are stored."""
        for recorded in request.results:
            if not recorded.replayed:
                decision = recorded.decision
                self.store.supersede_open_cases(
                    decision.application_id, decision.decision_id, request.actor
                )

    async def _commit(self, request: _Request) -> None:
        started = perf_counter()
        request.results = await self.committer.commit(request.pending)
        request.store_seconds = perf_counter() - started

    def _observe(self, request: _Request, started: float) -> None:
        total = perf_counter() - started
        self.metrics.observe_steps(
            {"engine": total - request.store_seconds, "store": request.store_seconds}
        )
        for recorded in request.results:
            if not recorded.replayed:  # a replay is no new decision
                self.metrics.count_decision(recorded.decision.outcome)
            log.info(
                "decision %s %s outcome %s model %s policy %s actor %s %.2f ms",
                recorded.decision.decision_id,
                "replayed" if recorded.replayed else "stored",
                recorded.decision.outcome,
                recorded.decision.model_version,
                recorded.decision.policy_version,
                request.actor,
                total * 1000,
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


@dataclass
class _Request:
    """What the store needs to know of the request being decided."""

    actor: str
    channel: str | None
    idempotency_key: str | None
    request_hash: str | None
    single: bool
    once: bool = True  # refuse an application id decided before
    results: list[RecordedDecision] = field(default_factory=list)
    pending: list[NewDecision] = field(default_factory=list)
    store_seconds: float = 0.0

    def key(self) -> str | None:
        if self.idempotency_key is None or self.single:
            return self.idempotency_key
        return f"{self.idempotency_key}#{len(self.pending)}"


_current: ContextVar[_Request | None] = ContextVar("finduo_api_request", default=None)


class EngineStoreView:
    """The store as the engine sees it inside the service.

    The engine hands over each decision it makes (with its queue priority);
    inside a request this view adds what only the request knows — actor,
    channel, Idempotency-Key — and keeps it for the service, which stores the
    request's decisions together (group commit) and answers with what the
    store returns: a replay gives the *first* decision, not the one just
    computed. Outside a request it records at once. The stop switch is
    cached for a second.
    """

    def __init__(self, store: Store, stop_switch_seconds: float = 1.0) -> None:
        self._store = store
        self._stop = _TtlCache(stop_switch_seconds, max_items=1)

    def save_policy_version(self, *args: Any, **kwargs: Any) -> Any:
        """Keep the policy's text in the store (the engine does so at start)."""
        return self._store.save_policy_version(*args, **kwargs)

    def stop_switch(self) -> bool:
        state: bool | None = self._stop.get("stop")
        if state is None:
            state = bool(self._store.stop_switch())
            self._stop.put("stop", state)
        return state

    def record_decision(
        self,
        decision: Decision,
        application: dict[str, Any],
        actor: str,
        *,
        case_priority: float = 0.0,
    ) -> RecordedDecision | None:
        request = _current.get()
        if request is None:  # used outside a request: record as the engine asks
            return self._store.record_decision(
                decision, application, actor, case_priority=case_priority
            )
        # Stored after the engine, with the decisions of concurrent requests.
        request.pending.append(
            NewDecision(
                decision,
                application,
                request.actor,
                channel=request.channel,
                idempotency_key=request.key(),
                request_hash=request.request_hash,
                case_priority=case_priority,
                once=request.once,
            )
        )
        return None


__all__ = ["EngineStoreView", "Service", "request_hash"]
