"""The API routes a challenger's share (split) or shadows it, as the store says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from api_support import AUDIT_KEY, Trained, open_api

from finduo.challenger import assign_variant
from finduo.challenger.live import SETTING_KEY, LiveChallenger
from finduo.policy import parse_policy
from finduo.store import CaseFilter, Store


def _start(url: str, state: Path, trained: Trained, mode: str, share: float) -> str:
    """A stricter policy as challenger, set in the store before the app starts."""
    text = trained.policy.text.replace("approve_below: 0.15", "approve_below: 0.05")
    strict = parse_policy(text, "test")
    store = Store(url, audit_key=AUDIT_KEY, state_dir=state)
    store.upgrade()
    saved = store.save_policy_version("german-credit", strict.version, text, "t")
    live = LiveChallenger(
        mode=mode,  # type: ignore[arg-type]
        share=share,
        salt="api-1",
        policy=saved.content_hash,
        started_by="t",
        started_at=datetime.now(UTC),
    )
    store.set_setting(SETTING_KEY, live.model_dump_json(), "t")
    store.close()
    return strict.version


@pytest.mark.parametrize("mode", ["split", "shadow"])
def test_batch_and_single_decisions_follow_the_challenger_setting(
    mode: str, tmp_path: Path, trained: Trained, applications: list[dict[str, Any]]
) -> None:
    url = f"sqlite:///{tmp_path / 'finduo.db'}"
    strict = _start(url, tmp_path / "state", trained, mode, 0.5)
    api = open_api(url, tmp_path / "state", trained)
    batch = applications[:40]
    config = LiveChallenger.model_validate_json(
        api.store.get_setting(SETTING_KEY) or ""
    ).config

    with api.client:
        response = api.client.post(
            "/v1/decisions/batch",
            json={"applications": batch},
            headers=api.auth("decider"),
        )
        single = api.decide(applications[40])

    assert response.status_code == 200, response.text
    answered = [item["decision"] for item in response.json()["decisions"]]
    assert [d["application_id"] for d in answered] == [
        a["application_id"] for a in batch
    ]
    sides = [assign_variant(a["application_id"], config) for a in batch]
    assert 5 < sides.count("challenger") < 35
    expected = [
        "challenger" if mode == "split" and s == "challenger" else "champion"
        for s in sides
    ]
    assert [d["variant"] for d in answered] == expected
    assert [d["policy_version"] == strict for d in answered] == [
        v == "challenger" for v in expected
    ]
    assert single.status_code in (200, 201), single.text
    shadows = [
        d
        for a in batch
        for d in api.store.decisions_for_application(a["application_id"])
        if d.variant == "shadow"
    ]
    assert len(shadows) == (sides.count("challenger") if mode == "shadow" else 0)
    case_decisions = {
        c.decision_id for c in api.store.list_cases(CaseFilter(limit=500))
    }
    assert not case_decisions & {d.decision_id for d in shadows}


def test_the_api_decides_with_the_promoted_model_over_a_newer_one(
    tmp_path: Path, trained: Trained
) -> None:
    import shutil

    from finduo.api import create_app
    from finduo.lifecycle import approve_model, promote_model, register_candidate
    from finduo.models import list_models
    from finduo.settings import Settings

    state = tmp_path / "state"
    shutil.copytree(trained.models_dir, state / "models")
    (saved,) = list_models("scorecard", "german-credit", state / "models")
    newer = state / "models" / "scorecard-newer"
    shutil.copytree(saved["folder"], newer)
    meta = (newer / "meta.json").read_text(encoding="utf-8")
    (newer / "meta.json").write_text(
        meta.replace(saved["version"], "scorecard-german-credit-29991231-x").replace(
            saved["created_at"], "2999-12-31T00:00:00+00:00"
        ),
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'finduo.db'}"
    store = Store(url, audit_key=AUDIT_KEY, state_dir=state)
    store.upgrade()
    for name, role in (("ana", "analyst"), ("cat", "approver")):
        store.create_user(name, [role], "admin")
    promoted = register_candidate(store, "ana", Path(saved["folder"]))
    approve_model(store, "cat", promoted.version)
    promote_model(store, "cat", promoted.version)
    settings = Settings(state_dir=state, database_url=url, audit_key=AUDIT_KEY)

    app = create_app(settings, store=store, policy=trained.policy)

    newest = list_models("scorecard", "german-credit", state / "models")[0]
    assert newest["folder"] == str(newer)
    assert app.state.service.model_version == promoted.version
    store.close()
