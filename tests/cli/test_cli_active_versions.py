"""`finduo decide` decides with what the lifecycle made active, not the newest file."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from finduo.cli import app
from finduo.datasets.german import TARGET
from finduo.errors import FinduoError
from finduo.policy import parse_policy, shipped_policy
from finduo.settings import get_settings
from finduo.store import Store


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, FinduoError):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def _decide(
    state: Path, applications: Path, name: str, *flags: str
) -> list[dict[str, str]]:
    out = state / f"{name}.csv"
    _run("--as", "carla", "decide", str(applications), "--out", str(out), *flags)
    with out.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _users() -> None:
    store = Store.from_settings(get_settings())
    store.upgrade()
    for name, role in (("ana", "analyst"), ("cat", "approver")):
        store.create_user(name, [role], "admin")
    store.close()


def test_decide_uses_the_activated_policy_version_and_its_cutoff(
    state: Path, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(80).to_csv(applications, index=False)
    before = _decide(state, applications, "before")
    _users()
    stricter = re.sub(
        r"(?m)^(\s*approve_below:) [0-9.]+", r"\1 0.08", shipped_policy().text
    )
    (state / "strict.yaml").write_text(stricter, encoding="utf-8")
    proposed = _run("--as", "ana", "policy", "propose", str(state / "strict.yaml"))
    ref = re.search(r"\(([0-9a-f]{12})\) is proposed", proposed).group(1)
    _run("--as", "ana", "policy", "simulate", ref)
    _run("--as", "cat", "policy", "approve", ref)
    _run("--as", "cat", "policy", "activate", ref)

    after = _decide(state, applications, "after", "--redecide")

    new_version = parse_policy(stricter, "test").version
    assert new_version != shipped_policy().version
    assert {d["policy_version"] for d in before} == {shipped_policy().version}
    assert {d["policy_version"] for d in after} == {new_version}
    by_id = {d["application_id"]: d for d in before}
    moved = [
        d
        for d in after
        if by_id[d["application_id"]]["outcome"] == "approve"
        and 0.08 <= float(d["pd"]) < 0.15
    ]
    assert moved, "no approval between the old and the new cut-off to move"
    assert all(d["outcome"] != "approve" for d in moved)
    assert all(d["outcome"] != "approve" for d in after if float(d["pd"]) >= 0.08)


def test_decide_uses_the_promoted_model_over_a_newer_one(
    state: Path, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    from finduo.lifecycle import approve_model, promote_model, register_candidate
    from finduo.models import list_models

    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(5).to_csv(applications, index=False)
    (saved,) = list_models("scorecard", "german-credit", state / "models")
    _users()
    store = Store.from_settings(get_settings())
    older = register_candidate(store, "ana", Path(saved["folder"]))
    approve_model(store, "cat", older.version)
    promote_model(store, "cat", older.version)
    # A newer saved model of the same kind that nobody promoted.
    newer = state / "models" / "scorecard-newer"
    newer.mkdir()
    for item in Path(saved["folder"]).iterdir():
        (newer / item.name).write_bytes(item.read_bytes())
    meta = (newer / "meta.json").read_text(encoding="utf-8")
    (newer / "meta.json").write_text(
        meta.replace(
            saved["version"], "scorecard-german-credit-29991231T000000-x"
        ).replace(saved["created_at"], "2999-12-31T00:00:00+00:00"),
        encoding="utf-8",
    )
    store.close()
    assert list_models("scorecard", "german-credit", state / "models")[0][
        "folder"
    ] == str(newer)

    decided = _decide(state, applications, "promoted")

    assert {d["model_version"] for d in decided} == {older.version}
