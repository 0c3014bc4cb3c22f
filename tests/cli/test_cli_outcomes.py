"""finduo outcomes import from the command line: invalid rows are shown, not a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from finduo.cli import app


def test_outcomes_import_lists_invalid_rows_and_writes_whole_row_numbers(
    state: Path, tmp_path: Path
) -> None:
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "decision_id;kind;observed_at;days_past_due\n"
        "DEC-NOPE;paid;2026-11-01;0\n"
        "DEC-NOPE;bankrupt;2026-11-01;0\n"
        "DEC-NOPE;defaulted;2026-11-01;-5\n",
        encoding="utf-8",
    )
    report = tmp_path / "not-inserted.csv"

    result = CliRunner().invoke(
        app, ["--as", "ana", "outcomes", "import", str(path), "--report", str(report)]
    )

    assert result.exit_code == 0, result.output
    assert "2 invalid, 1 unmatched" in result.output
    assert "'bankrupt'" in result.output
    rows = pd.read_csv(report, dtype=str)
    assert rows["row"].dropna().tolist() == ["2", "3"]
    assert set(rows["status"]) == {"invalid", "unmatched"}


def test_outcomes_import_names_implausible_rows(state: Path, tmp_path: Path) -> None:
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "decision_id,kind,observed_at,days_past_due\n"
        "DEC-NOPE,paid,2026-11-01,0\n"
        "DEC-NOPE,paid,2999-01-01,0\n"
        "DEC-NOPE,defaulted,2026-11-01,12\n",
        encoding="utf-8",
    )

    result = CliRunner().invoke(
        app, ["--as", "ana", "outcomes", "import", str(path), "--json"]
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"] == 3 and len(data["unmatched"]) == 1
    assert [(e["row"], e["field"]) for e in data["invalid"]] == [
        (2, "observed_at"),
        (3, "days_past_due"),
    ]
    assert "must not be in the future" in data["invalid"][0]["reason"]
    assert data["invalid"][1]["value"] == "12"
