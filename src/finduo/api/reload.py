"""A running worker follows what is in force: policy, champion model, challenger.

``finduo policy activate``, ``finduo model promote`` and ``finduo challenger
start|stop`` change the store; every ``FINDUO_RELOAD_SECONDS`` each worker
reads what is in force now (off the event loop) and, when it differs from
what the worker decides with, builds the new engine and switches to it
between two requests. A decision is always made and recorded by one engine
whole, old or new, and names its policy and model versions.

A new model whose inputs differ from the running one cannot be switched to
in place: the request schema of ``POST /v1/decisions`` (and its OpenAPI)
follows the model's inputs. The worker then keeps deciding as before and
logs a warning each time it looks; ``/v1/ready`` shows ``"in_force": false``
(ready still, so that a restart of the workers one by one takes them over).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from finduo.errors import FinduoError
from finduo.settings import Settings
from finduo.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InForce:
    """What should decide now, as read from the store and the model folder."""

    policy_version: str
    model_path: str
    challenger: str | None  # the challenger setting as JSON, None without one


def read_in_force(settings: Settings, store: Store) -> tuple[InForce, Any]:
    """What is in force now, and the loaded policy (no model is loaded)."""
    from finduo.api.app import champion_folder, load_policy_in_force
    from finduo.challenger.live import current_challenger

    policy = load_policy_in_force(settings, store)
    folder = champion_folder(settings, policy, store)
    live = current_challenger(store)
    return (
        InForce(
            policy.version,
            str(folder.resolve()),
            None if live is None else live.model_dump_json(),
        ),
        policy,
    )


class Reloader:
    """Switches a :class:`~finduo.api.service.Service` to what is in force."""

    def __init__(self, service: Any, settings: Settings, current: InForce) -> None:
        self.service = service
        self.settings = settings
        self.current = current
        self.in_force = True  # False: a change needs a restart (other inputs)
        self.switches = 0
        self._task: asyncio.Task[None] | None = None

    def check(self) -> bool:
        """Look once (blocking); switch when something changed. True if switched."""
        from finduo.api.app import build_engine

        store: Store = self.service.store
        try:
            wanted, policy = read_in_force(self.settings, store)
        except FinduoError as exc:
            log.warning("could not read what is in force: %s", exc.message)
            return False
        if wanted == self.current:
            return False
        engine, champion = build_engine(store, policy, wanted.model_path)
        old = self.service.engine.schema
        if champion.schema.fields != old.fields or champion.schema.kinds != old.kinds:
            if self.in_force:
                log.warning(
                    "policy %s / model %s take other inputs than the running "
                    "model: restart the service to switch to them",
                    wanted.policy_version,
                    wanted.model_path,
                )
            self.in_force = False
            return False
        self.service.engine = engine
        self.current = wanted
        self.in_force = True
        self.switches += 1
        log.info(
            "switched to policy %s, model %s%s",
            champion.loaded.version,
            champion.model.version,
            " with a challenger" if wanted.challenger else "",
        )
        return True

    async def run(self) -> None:
        seconds = self.settings.reload_seconds
        while True:
            await asyncio.sleep(seconds)
            try:
                await run_in_threadpool(self.check)
            except Exception:  # keep looking; the running engine stays
                log.exception("switching to the policy or model in force failed")

    def start(self) -> None:
        if self.settings.reload_seconds > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


__all__ = ["InForce", "Reloader", "read_in_force"]
