"""A running service switches to a newly activated policy without a restart."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

from api_support import AUDIT_KEY, Trained
from fastapi.testclient import TestClient

from finduo import lifecycle
from finduo.api.app import create_app
from finduo.identity import Role
from finduo.policy import shipped_policy
from finduo.settings import Settings
from finduo.store import Store


def _stricter_policy(folder: Path) -> Path:
    text, n = re.subn(
        r"(?m)^(\s*approve_below:) [0-9.]+", r"\1 0.01", shipped_policy().text
    )
    assert n == 1
    path = folder / "stricter.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _until(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_activated_policy_is_used_without_restart(
    store_url: str, tmp_path: Path, trained: Trained, applications: list[dict[str, Any]]
) -> None:
    state = tmp_path / "state"
    settings = Settings(
        state_dir=state, database_url=store_url, audit_key=AUDIT_KEY, reload_seconds=0.1
    )
    shutil.copytree(trained.models_dir, settings.models_dir)
    store = Store(store_url, audit_key=AUDIT_KEY, state_dir=state)
    store.upgrade()
    store.create_user("ana", [Role.ANALYST.value], "test")
    store.create_user("cat", [Role.APPROVER.value], "test")
    _, token = store.create_token("shop", [Role.DECIDER.value], "test")
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(settings, store=store)

    with TestClient(app) as client:
        before = client.post("/v1/decisions", json=applications[0], headers=headers)
        shipped = before.json()["decision"]["policy_version"]
        version = lifecycle.propose(store, "ana", _stricter_policy(tmp_path))
        lifecycle.simulate(store, "ana", version.content_hash[:8])
        lifecycle.approve(store, "cat", version.content_hash[:8])
        lifecycle.activate(store, "cat", version.content_hash[:8])

        assert _until(lambda: app.state.service.policy_version != shipped)
        after = client.post("/v1/decisions", json=applications[1], headers=headers)
        ready = client.get("/v1/ready").json()

    assert before.status_code == after.status_code == 200
    assert after.json()["decision"]["policy_version"] == version.version_label
    assert ready["policy_version"] == version.version_label
    assert ready["in_force"] is True
    assert app.state.service.reloader.switches == 1
