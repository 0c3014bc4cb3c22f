"""Helpers shared by the CLI tests (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner, Result

from finduo.cli import app
from finduo.datasets.german import TARGET
from finduo.settings import get_settings
from finduo.store import Case, CaseFilter, Store


def said(result: Result) -> str:
    """The output as one line: Rich's error box borders and wrapping removed."""
    return " ".join(result.output.replace("│", " ").split())


def open_cases(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> list[Case]:
    """Decide 60 held-out applications as carla; the cases they opened."""
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(60).to_csv(applications, index=False)
    decided = runner.invoke(
        app,
        ["--as", "carla", "decide", str(applications), "--out", str(state / "d.csv")],
    )
    assert decided.exit_code == 0, decided.output
    store = Store.from_settings(get_settings())
    cases = store.list_cases(CaseFilter(limit=1000))
    store.close()
    assert cases
    return cases
