"""The decision side of the CLI, as a user runs it: decide, review, audit, policy."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner, Result

from finduo.cli import app
from finduo.datasets.german import TARGET
from finduo.errors import FinduoError
from finduo.policy import shipped_policy
from finduo.settings import get_settings
from finduo.store import CaseFilter, Store


def _store() -> Store:
    return Store.from_settings(get_settings())


def _exit_code(result: Result) -> int:
    """The exit code `finduo` would give (main() maps FinduoError to its code)."""
    if isinstance(result.exception, FinduoError):
        return result.exception.exit_code
    return result.exit_code


def _write_applications(held_out: pd.DataFrame, path: Path) -> None:
    """Twelve held-out rows, German style (;), two invalid, one duplicate id."""
    frame = held_out.drop(columns=[TARGET]).head(12).astype(object)
    frame.loc[3, "age_years"] = 7
    frame.loc[6, "credit_amount"] = "viel"
    frame.loc[10, "application_id"] = frame.loc[0, "application_id"]
    frame["bad_flag_from_elsewhere"] = "x"
    frame.to_csv(path, sep=";", index=False)


def test_decide_writes_decisions_rejects_and_opens_cases(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "applications.csv"
    _write_applications(split[1], applications)
    out = state / "out" / "decisions.csv"

    result = runner.invoke(
        app, ["--as", "carla", "decide", str(applications), "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert "read 12 row(s): 9 decided, 2 invalid, 1 duplicate id(s)" in result.output
    assert "ignored column(s), not part of an application: bad_flag_from_elsewhere" in (
        result.output.replace("\n", " ")
    )
    with out.open(encoding="utf-8") as handle:
        decided = list(csv.DictReader(handle))
    with (state / "out" / "decisions.rejects.csv").open(encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert len(decided) == 9
    assert [(r["row"], r["field"], r["value"]) for r in rejects] == [
        ("4", "age_years", "7"),
        ("7", "credit_amount", "viel"),
        ("11", "application_id", decided[0]["application_id"]),
    ]
    assert {d["policy_version"] for d in decided} == {shipped_policy().version}
    refers = [d for d in decided if d["outcome"] == "refer"]
    cases = _store().list_cases(CaseFilter(limit=100))
    assert sorted(c.id for c in cases) == sorted(d["case_id"] for d in refers)
    stored = _store().get_stored_decision(decided[0]["decision_id"])
    assert stored.actor == "carla"


def test_jsonl_output_holds_the_full_decision(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(5).to_csv(applications, index=False)
    out = state / "decisions.jsonl"

    result = runner.invoke(
        app, ["--as", "carla", "decide", str(applications), "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5
    assert {"pd", "band", "outcome", "reasons", "terms", "case_id"} <= set(lines[0])


def test_review_with_an_override_is_recorded_as_override(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).to_csv(applications, index=False)
    runner.invoke(
        app,
        ["--as", "carla", "decide", str(applications), "--out", str(state / "d.csv")],
    )
    cases = _store().list_cases(CaseFilter(limit=1000))
    case = next(
        c for c in cases if c.decision and c.decision.recommendation == "decline"
    )
    listed = runner.invoke(app, ["cases", "list", "--limit", "500"])
    shown = runner.invoke(app, ["cases", "show", case.id[:10]])

    resolved = runner.invoke(
        app,
        [
            "cases",
            "resolve",
            case.id[:10],
            "--outcome",
            "approve",
            "--reason-code",
            "INCOME_VERIFIED",
            "--reviewer",
            "rita",
            "--comment",
            "payslips checked",
            "--payment-method",
            "prepayment",
            "--credit-limit",
            "500",
        ],
    )
    again = runner.invoke(
        app,
        [
            "cases",
            "resolve",
            case.id,
            "--outcome",
            "decline",
            "--reason-code",
            "CONFIRMS_MACHINE",
            "--reviewer",
            "rita",
        ],
    )

    assert listed.exit_code == 0 and case.id[:10] in listed.output
    assert shown.exit_code == 0 and case.decision is not None
    assert case.decision.application_id in shown.output
    assert resolved.exit_code == 0, resolved.output
    assert "override" in resolved.output
    resolution = _store().get_case(case.id).resolution
    assert resolution is not None
    assert (resolution.is_override, resolution.reviewer) == (True, "rita")
    assert resolution.terms is not None and resolution.terms.credit_limit == 500
    assert _exit_code(again) == 7  # ConflictError: already resolved
    assert "already resolved" in str(again.exception)


def test_audit_verify_catches_an_edited_row_and_a_removed_tail(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(8).to_csv(applications, index=False)
    runner.invoke(
        app,
        ["--as", "carla", "decide", str(applications), "--out", str(state / "d.csv")],
    )
    anchor = state / "head.json"
    exported = runner.invoke(app, ["audit", "anchor", "--out", str(anchor)])
    intact = runner.invoke(app, ["audit", "verify", "--anchor", str(anchor)])
    db = sqlite3.connect(state / "finduo.db")

    with db:  # as an intruder with DDL rights: the append-only triggers off
        db.execute("DROP TRIGGER audit_events_no_update")
        db.execute("DROP TRIGGER audit_events_no_delete")
        db.execute(
            "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)"
        )
    tail = runner.invoke(app, ["audit", "verify", "--anchor", str(anchor)])
    with db:
        db.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    edited = runner.invoke(app, ["audit", "verify"])

    assert exported.exit_code == 0 and intact.exit_code == 0, intact.output
    assert (
        "audit chain intact: 12 events" in intact.output
    )  # 3 users, 8 decisions, policy
    assert _exit_code(tail) == 11
    assert "removed from the tail" in str(tail.exception)
    assert _exit_code(edited) == 11
    assert "broken at seq 3" in str(edited.exception)


def test_policy_commands_show_and_validate(state: Path, runner: CliRunner) -> None:
    broken = state / "p.yaml"
    broken.write_text(
        shipped_policy().text.replace("approve_below: 0.15", "approve_below: 0.9"),
        encoding="utf-8",
    )

    shown = runner.invoke(app, ["policy", "show"])
    valid = runner.invoke(app, ["policy", "validate", str(broken)])

    assert shown.exit_code == 0
    assert shipped_policy().version in shown.output
    assert _exit_code(valid) == 4
    assert "cutoffs: cut-offs must satisfy" in str(valid.exception)


def test_fields_lists_every_column_with_accepted_values(
    state: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["fields"])

    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "application_id" in text
    assert "age_years │ number │ 14 .. 100" in text
    assert "no checking account | < 0 DM" in text
    assert "protected: never scored" in text


def test_policy_cutoffs_prints_the_strategy_table(
    state: Path, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["policy", "cutoffs", "--folds", "3"])

    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "pd cut-off ┃ approved ┃" in text
    bayes = re.search(r"0\.1667 │ +(\d+\.\d)% │.*? │ +yes │", text)
    assert bayes is not None, text
    assert 15.0 < float(bayes.group(1)) < 60.0  # share approved at the Bayes cut-off
