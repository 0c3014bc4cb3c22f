"""Helpers of the API tests (imported by the tests and their conftest)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from finduo.api import create_app
from finduo.identity import Role
from finduo.policy import LoadedPolicy
from finduo.settings import Settings
from finduo.store import Store

# Starlette's test client warns that it will move from httpx to httpx2, which
# the pinned stack does not have; the client works as it is.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

AUDIT_KEY = "test-audit-key-0123456789abcdef"
TARGET = "bad"


@dataclass(frozen=True)
class Trained:
    """The champion model, the policy and the held-out rows it never saw."""

    model: Any
    policy: LoadedPolicy
    held_out: pd.DataFrame
    models_dir: Path


@dataclass
class Api:
    """A client of the service, its store, and one token per role."""

    client: TestClient
    store: Store
    tokens: dict[str, str]
    settings: Settings
    app: FastAPI

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def decide(self, application: dict[str, Any], **headers: str) -> Any:
        return self.client.post(
            "/v1/decisions",
            json=application,
            headers={**self.auth("decider"), **headers},
        )


def open_api(
    url: str,
    state: Path,
    trained: Trained,
    *,
    token_cache_seconds: float = 0.0,
    **settings: Any,
) -> Api:
    """A migrated store at ``url``, a token per role, and the app on it."""
    config = Settings(
        state_dir=state, database_url=url, audit_key=AUDIT_KEY, **settings
    )
    store = Store(url, audit_key=AUDIT_KEY, state_dir=state)
    store.upgrade()
    tokens = {
        role.value: store.create_token(f"{role.value}-client", [role.value], "test")[1]
        for role in Role
    }
    app = create_app(
        config,
        store=store,
        model=trained.model,
        policy=trained.policy,
        token_cache_seconds=token_cache_seconds,
    )
    return Api(TestClient(app), store, tokens, config, app)
