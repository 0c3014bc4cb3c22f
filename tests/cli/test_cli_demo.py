"""``finduo demo`` runs end to end on a fresh state folder and summarises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finduo.cli import app
from finduo.settings import get_settings
from finduo.store import CaseFilter, Store


def test_demo_trains_decides_held_out_and_prints_the_summary(
    state: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["demo", "--cases-shown", "3"])

    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "training on 800" in text
    assert "decided 200 of 200 held-out applications (0 rejected)" in text
    for outcome in ("approve", "refer", "decline"):
        assert re.search(rf"{outcome} │ +\d+ │ +\d+ │ +\d+\.\d%", text), outcome
    costs = {
        name: float(value)
        for name, value in re.findall(
            r"(recommendation \(approve/decline\)|approve everyone|decline everyone)"
            r" │ (\d\.\d{3})",
            text,
        )
    }
    assert costs["approve everyone"] == 1.5  # 60 bad of 200, cost 5 each
    assert costs["decline everyone"] == 0.7  # 140 good of 200, cost 1 each
    assert costs["recommendation (approve/decline)"] < costs["decline everyone"]
    assert "audit chain intact: 204 events" in text  # 3 users, 200 decisions, policy
    demo_store = Store.from_settings(
        get_settings().model_copy(update={"state_dir": state / "demo"})
    )
    assert demo_store.list_cases(CaseFilter(limit=1000))
    roles = {u.name: list(u.roles) for u in demo_store.list_users()}
    assert roles == {"admin": ["admin"], "demo": ["decider"], "rita": ["reviewer"]}
    first = demo_store.list_cases(CaseFilter(limit=1))[0]
    assert demo_store.get_stored_decision(first.decision_id or "").actor == "demo"
    shown = re.search(
        r"--as rita cases resolve (\S+) (--outcome \S+ --reason-code \S+)", text
    )
    assert shown is not None, text
    monkeypatch.setenv("FINDUO_STATE_DIR", str(state / "demo"))
    get_settings.cache_clear()
    resolved = runner.invoke(
        app,
        ["--as", "rita", "cases", "resolve", shown.group(1), *shown.group(2).split()],
    )
    assert resolved.exit_code == 0, resolved.output
    assert "resolved" in resolved.output
    assert f"export FINDUO_STATE_DIR={state / 'demo'}" in result.output
    demo_store.close()


def test_a_previous_demo_is_moved_aside_never_deleted(tmp_path: Path) -> None:
    from finduo.cli.demo import finduo_command, keep_previous

    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "finduo.db").write_bytes(b"resolutions live here")

    kept = keep_previous(folder)

    assert kept is not None and kept.name.startswith("demo-previous-")
    assert (kept / "finduo.db").read_bytes() == b"resolutions live here"
    assert not folder.exists()
    assert keep_previous(folder) is None
    assert Path(finduo_command()).name == "finduo"
