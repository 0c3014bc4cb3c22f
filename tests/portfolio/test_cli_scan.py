"""``finduo portfolio scan`` end to end: watchlist, review cases once, previous scan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from finduo.cli import _register_all, app
from finduo.cli._common import open_store
from finduo.settings import get_settings
from finduo.store import CaseFilter


@pytest.fixture
def state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scan_model
) -> Iterator[Path]:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path / "state"))
    for name in ("FINDUO_DATABASE_URL", "FINDUO_USER", "FINDUO_POLICY"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    scan_model.save(tmp_path / "model")
    _register_all()
    yield tmp_path
    get_settings.cache_clear()


def _scan(runner: CliRunner, state: Path, source: Path, out: Path) -> str:
    result = runner.invoke(
        app,
        [
            "--as",
            "analyst-1",
            "portfolio",
            "scan",
            str(source),
            "--as-of",
            "2005-09-30",
            "--out",
            str(out),
            "--model",
            str(state / "model"),
            "--scorer",
            "lightgbm",
            "--chunk-rows",
            "1000",
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_scan_opens_early_warning_cases_once(state: Path, portfolio_csv: Path) -> None:
    runner = CliRunner()
    out = state / "watch-sep.csv"

    output = _scan(runner, state, portfolio_csv, out)
    again = _scan(runner, state, portfolio_csv, out)

    watch = pd.read_csv(out, dtype={"customer_id": str})
    with_case = watch[watch["case_id"].notna()]
    assert len(with_case) > 0
    assert (with_case["action"] != "none").all()
    assert ((with_case["action"] == "case") | (with_case["exposure"] >= 200000)).all()
    store = open_store()
    cases = [
        c
        for c in store.list_cases(CaseFilter(status=None, limit=100_000))
        if c.kind == "early_warning"
    ]
    assert len(cases) == len(with_case)
    assert {c.subject_id for c in cases} == set(with_case["customer_id"])
    flat, flat_again = output.replace("\n", " "), again.replace("\n", " ")
    assert f"{len(with_case)} review case(s) opened" in flat
    assert "0 review case(s) opened" in flat_again


def test_second_scan_compares_with_the_last_finished_one(
    state: Path, portfolio_csv: Path
) -> None:
    runner = CliRunner()
    _scan(runner, state, portfolio_csv, state / "watch-1.csv")

    output = _scan(runner, state, portfolio_csv, state / "watch-2.csv")

    second = pd.read_csv(state / "watch-2.csv")
    assert "watch-1.csv" in output.replace("\n", "")
    assert (second["trend"] == "same").all()
    assert second["change"].abs().max() == 0.0


def test_bad_as_of_date_is_a_clear_error(state: Path, portfolio_csv: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "portfolio",
            "scan",
            str(portfolio_csv),
            "--as-of",
            "30.09.2005",
            "--out",
            str(state / "w.csv"),
            "--model",
            str(state / "model"),
        ],
    )

    assert result.exit_code != 0
    assert "YYYY-MM-DD" in str(result.exception) + result.output
