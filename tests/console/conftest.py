"""Fixtures of the console tests: a model trained on German credit, a store
seeded with users and the referrals of the held-out applications, the service
with its console served by Uvicorn on 127.0.0.1 (one server per test module),
and headless Chromium driven by Playwright.

Screenshots go to ``test-artifacts/console/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from console_support import CHROMIUM, CHROMIUM_ARGS, PASSWORD

from finduo.decisions.engine import Engine
from finduo.identity.passwords import hash_password
from finduo.policy import LoadedPolicy, shipped_policy
from finduo.settings import Settings
from finduo.store import Store

TARGET = "bad"
AUDIT_KEY = "test-audit-key-0123456789abcdef"
SESSION_SECRET = "test-session-secret-0123456789abcdef"

USERS = {
    "rita": (["reviewer"], "en"),
    "renate": (["reviewer"], "de"),
    "anna": (["analyst"], "en"),
    "adam": (["admin"], "en"),
    "bea": (["reviewer"], "en"),
}


@dataclass(frozen=True)
class Trained:
    model: Any
    policy: LoadedPolicy
    held_out: pd.DataFrame


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """The champion trained on a seeded, stratified 80 % of German credit."""
    from sklearn.model_selection import train_test_split

    from finduo.datasets.german import load_german
    from finduo.models import train_models

    data = load_german()
    train, held_out = train_test_split(
        data, test_size=0.2, stratify=data[TARGET], random_state=0
    )
    policy = shipped_policy()
    models = train_models(
        train.reset_index(drop=True),
        target=TARGET,
        dataset="german-credit",
        seed=0,
        protected=policy.policy.protected,
        id_columns=("application_id",),
        kinds=(policy.policy.champion,),
    )
    return Trained(
        models[policy.policy.champion], policy, held_out.reset_index(drop=True)
    )


def held_out_applications(trained: Trained) -> list[dict[str, Any]]:
    schema = Engine(trained.model, trained.policy).schema
    out = []
    for row in trained.held_out.drop(columns=[TARGET]).to_dict("records"):
        values = schema.csv_values(row)
        out.append({k: v for k, v in values.items() if k in schema.fields})
    return out


@dataclass
class Console:
    """The running service: its address, store, a decider token and the data."""

    base: str
    store: Store
    settings: Settings
    decider_token: str
    applications: list[dict[str, Any]]
    decisions: list[Any] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"{self.base}/console/{path}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def open_console(tmp: Path, trained: Trained) -> Iterator[Console]:
    """Seed a store and serve the API with its console until the module ends."""
    import uvicorn

    from finduo.api import create_app

    state = tmp / "state"
    url = f"sqlite:///{tmp / 'finduo.db'}"
    settings = Settings(
        state_dir=state,
        database_url=url,
        audit_key=AUDIT_KEY,
        session_secret=SESSION_SECRET,
        data_dir=Path(os.environ["FINDUO_DATA_DIR"])
        if "FINDUO_DATA_DIR" in os.environ
        else None,
    )
    store = Store(url, audit_key=AUDIT_KEY, state_dir=state)
    store.upgrade()
    for name, (roles, language) in USERS.items():
        store.create_user(
            name,
            roles,
            "test",
            password_hash=hash_password(PASSWORD),
            language=language,
        )
    _, token = store.create_token("webshop", ["decider"], "test")
    applications = held_out_applications(trained)
    seeding = Engine(trained.model, trained.policy, store=store, actor="seed")
    decisions = [seeding.decide(a) for a in applications]

    app = create_app(settings, store=store, model=trained.model, policy=trained.policy)
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="none",
        http="h11",
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Console(
            f"http://127.0.0.1:{port}", store, settings, token, applications, decisions
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def console(
    tmp_path_factory: pytest.TempPathFactory, trained: Trained
) -> Iterator[Console]:
    yield from open_console(tmp_path_factory.mktemp("console"), trained)


# -- browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing (make browser installs it)")
        pytest.skip(f"{CHROMIUM} is missing; run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    # axe-core is injected inline by the tests; the console's CSP forbids that.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()
