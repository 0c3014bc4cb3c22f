"""A challenger on live traffic through `finduo decide`: split, shadow, report."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from finduo.challenger import ChallengerConfig, assign_variant
from finduo.cli import app
from finduo.datasets.german import TARGET
from finduo.errors import ConflictError, FinduoError, PermissionDenied
from finduo.policy import parse_policy, shipped_policy
from finduo.settings import get_settings
from finduo.store import CaseFilter, Store

STRICT_CUTOFF = 0.08


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, FinduoError):
        raise result.exception
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def _store() -> Store:
    return Store.from_settings(get_settings())


def _decide(state: Path, frame: pd.DataFrame, name: str) -> list[dict[str, str]]:
    applications = state / f"{name}-in.csv"
    frame.drop(columns=[TARGET]).to_csv(applications, index=False)
    out = state / f"{name}.csv"
    _run("--as", "carla", "decide", str(applications), "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def approved_ref(state: Path, split: tuple[pd.DataFrame, pd.DataFrame]) -> str:
    """A stricter policy, proposed, simulated and approved (not activated)."""
    _decide(state, split[1].iloc[:20], "history")
    store = _store()
    for name, role in (("ana", "analyst"), ("cat", "approver")):
        store.create_user(name, [role], "admin")
    store.close()
    text = re.sub(
        r"(?m)^(\s*approve_below:) [0-9.]+",
        rf"\g<1> {STRICT_CUTOFF}",
        shipped_policy().text,
    )
    (state / "strict.yaml").write_text(text, encoding="utf-8")
    out = _run("--as", "ana", "policy", "propose", str(state / "strict.yaml"))
    ref = re.search(r"\(([0-9a-f]{12})\) is proposed", out).group(1)
    _run("--as", "ana", "policy", "simulate", ref)
    _run("--as", "cat", "policy", "approve", ref)
    return ref


def test_split_challenger_decides_its_share_in_order_with_its_policy(
    state: Path, split: tuple[pd.DataFrame, pd.DataFrame], approved_ref: str
) -> None:
    strict = parse_policy((state / "strict.yaml").read_text(), "t").version
    with pytest.raises(PermissionDenied, match="needs the role approver"):
        _run("--as", "ana", "challenger", "start", "--policy", approved_ref)
    _run(
        "--as", "cat", "challenger", "start", "--mode", "split",
        "--share", "0.5", "--salt", "exp-1", "--policy", approved_ref,
    )  # fmt: skip
    frame = split[1].iloc[20:140]

    decided = _decide(state, frame, "split")

    config = ChallengerConfig(share=0.5, mode="split", salt="exp-1")
    assert [d["application_id"] for d in decided] == list(frame["application_id"])
    store = _store()
    sides = {d["application_id"]: assign_variant(d["application_id"], config)
             for d in decided}  # fmt: skip
    assert 30 < sum(s == "challenger" for s in sides.values()) < 90
    for row in decided:
        stored = store.get_decision(row["decision_id"])
        assert stored.variant == sides[row["application_id"]]
        expected = (
            strict if stored.variant == "challenger" else shipped_policy().version
        )
        assert row["policy_version"] == expected
        if stored.variant == "challenger" and stored.pd >= STRICT_CUTOFF:
            assert stored.outcome != "approve"
    referred = {d["case_id"] for d in decided if d["outcome"] == "refer"}
    challenger_refers = [
        d for d in decided
        if d["outcome"] == "refer" and sides[d["application_id"]] == "challenger"
    ]  # fmt: skip
    assert challenger_refers and all(d["case_id"] for d in challenger_refers)
    cases = store.list_cases(CaseFilter(limit=500))
    assert referred <= {c.id for c in cases}
    events = [e.action for e in store.audit_events(limit=10_000)]
    assert "challenger.activate_refused" in events


def test_shadow_challenger_is_stored_never_answered_and_opens_no_case(
    state: Path, split: tuple[pd.DataFrame, pd.DataFrame], approved_ref: str
) -> None:
    _run(
        "--as", "cat", "challenger", "start", "--mode", "shadow",
        "--share", "1.0", "--salt", "shadow-1", "--policy", approved_ref,
    )  # fmt: skip
    store = _store()
    cases_before = len(store.list_cases(CaseFilter(limit=500)))
    frame = split[1].iloc[20:80]

    decided = _decide(state, frame, "shadow")
    report = json.loads(_run("challenger", "report", "--json"))

    assert {d["policy_version"] for d in decided} == {shipped_policy().version}
    shadows = [
        d
        for a in frame["application_id"]
        for d in store.decisions_for_application(a)
        if d.variant == "shadow"
    ]
    assert len(shadows) == len(frame)
    champion_refers = sum(d["outcome"] == "refer" for d in decided)
    cases_after = len(store.list_cases(CaseFilter(limit=500)))
    assert cases_after - cases_before == champion_refers
    assert any(s.outcome == "refer" for s in shadows)
    rows = {r["variant"]: r for r in report["by_variant"]}
    assert rows["shadow"]["n"] == len(frame)
    assert rows["champion"]["n"] == len(frame)
    assert rows["shadow"]["approval_rate"] < rows["champion"]["approval_rate"]

    _run("--as", "cat", "challenger", "stop")
    after_stop = _decide(state, split[1].iloc[80:90], "after-stop")
    assert all(
        d.variant == "champion"
        for a in (r["application_id"] for r in after_stop)
        for d in store.decisions_for_application(a)
    )


def test_split_with_a_proposed_policy_is_refused(
    state: Path, split: tuple[pd.DataFrame, pd.DataFrame], approved_ref: str
) -> None:
    text = shipped_policy().text.replace("approve_below: 0.15", "approve_below: 0.1")
    (state / "other.yaml").write_text(text, encoding="utf-8")
    out = _run("--as", "ana", "policy", "propose", str(state / "other.yaml"))
    ref = re.search(r"\(([0-9a-f]{12})\) is proposed", out).group(1)

    with pytest.raises(ConflictError, match="must be approved or active"):
        _run("--as", "cat", "challenger", "start", "--mode", "split", "--policy", ref)
    _run("--as", "cat", "challenger", "start", "--mode", "shadow", "--policy", ref)
    status = json.loads(_run("challenger", "status", "--json"))

    assert status["mode"] == "shadow" and status["policy"].startswith(ref)
