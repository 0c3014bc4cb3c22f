"""Deciding ids already in the store, output suffixes, who acts."""

from __future__ import annotations

import csv
import getpass
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from finduo.cli import app
from finduo.datasets.german import TARGET
from finduo.settings import get_settings
from finduo.store import CaseFilter, Store


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_second_decide_rejects_decided_ids_unless_redecide(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(40).to_csv(applications, index=False)
    login = getpass.getuser()  # without --as the CLI acts as the login name
    admin = Store.from_settings(get_settings())
    admin.create_user(login, ["decider"], "admin")
    admin.close()
    first = runner.invoke(
        app, ["decide", str(applications), "--out", str(state / "a.csv")]
    )
    assert first.exit_code == 0, first.output
    assert f"acting as {login} (no --as given)" in " ".join(first.output.split())
    decided = _rows(state / "a.csv")
    store = Store.from_settings(get_settings())
    open_before = store.list_cases(CaseFilter(status="open"))
    assert open_before, "40 held-out rows open at least one case"

    again = runner.invoke(
        app, ["--as", "eva", "decide", str(applications), "--out", str(state / "b.csv")]
    )

    assert again.exit_code == 0, again.output
    assert "40 row(s) REJECTED" in again.output
    assert "acting as eva" in again.output and "no --as" not in again.output
    assert _rows(state / "b.csv") == []
    rejects = _rows(state / "b.rejects.csv")
    assert len(rejects) == 40
    assert decided[0]["decision_id"] in rejects[0]["reason"]
    assert "--redecide" in rejects[0]["reason"]
    assert store.list_cases(CaseFilter(status="open")) == open_before

    redo = runner.invoke(
        app,
        [
            "--as",
            "carla",
            "decide",
            str(applications),
            "--out",
            str(state / "c.csv"),
            "--redecide",
        ],
    )

    assert redo.exit_code == 0, redo.output
    assert len(_rows(state / "c.csv")) == 40
    superseded = store.list_cases(CaseFilter(status="superseded"))
    assert {c.id for c in superseded} == {c.id for c in open_before}
    open_after = store.list_cases(CaseFilter(status="open"))
    new_ids = {r["decision_id"] for r in _rows(state / "c.csv")}
    assert {c.decision_id for c in open_after} <= new_ids
    case = superseded[0]
    trail = store.audit_events(subject_type="case", subject_id=case.id)
    assert trail[-1].action == "case.superseded"
    assert trail[-1].payload["superseded_by"] in new_ids
    store.close()


@pytest.mark.parametrize("name", ["x.xlsx", "x"])
def test_out_must_be_csv_or_jsonl(state: Path, runner: CliRunner, name: str) -> None:
    result = runner.invoke(
        app,
        [
            "--as",
            "carla",
            "decide",
            str(state / "missing.csv"),
            "--out",
            str(state / name),
        ],
    )

    assert result.exit_code == 2  # a usage error, like any bad option value
    text = " ".join(result.output.replace("│", " ").split())
    assert "--out" in text and ".csv or .jsonl" in text


def test_csv_carries_german_reasons_and_bad_decimal_is_refused(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(30).to_csv(applications, index=False)

    bad = runner.invoke(
        app,
        [
            "--as",
            "carla",
            "decide",
            str(applications),
            "--out",
            str(state / "x.csv"),
            "--decimal",
            "x",
        ],
    )
    result = runner.invoke(
        app,
        ["--as", "carla", "decide", str(applications), "--out", str(state / "d.csv")],
    )

    assert bad.exit_code == 2, bad.output
    assert "decimal mark 'x' is not supported" in " ".join(
        bad.output.replace("│", " ").split()
    )
    assert result.exit_code == 0, result.output
    rows = [r for r in _rows(state / "d.csv") if r["reasons"]]
    assert rows
    for row in rows:
        assert len(row["reasons_de"].split("; ")) == len(row["reasons"].split("; "))
    assert any(r["reasons_de"] != r["reasons"] for r in rows)
    listed = runner.invoke(app, ["cases", "list", "--status", "superseded"])
    assert listed.exit_code == 0, listed.output
    assert "0 superseded case(s)" in listed.output


def test_cases_list_says_when_the_limit_hides_cases(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).to_csv(applications, index=False)
    decided = runner.invoke(
        app,
        ["--as", "carla", "decide", str(applications), "--out", str(state / "a.csv")],
    )
    assert decided.exit_code == 0, decided.output

    short = runner.invoke(app, ["cases", "list", "--limit", "2"])
    full = runner.invoke(app, ["cases", "list", "--limit", "500"])

    assert "first 2 open cases; more exist" in short.output
    assert "more exist" not in full.output and "open case(s)" in full.output
