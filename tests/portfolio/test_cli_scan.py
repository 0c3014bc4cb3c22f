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
from finduo.store import Case, CaseFilter


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


def _scan(
    runner: CliRunner,
    state: Path,
    source: Path,
    out: Path,
    as_of: str = "2005-09-30",
    *extra: str,
) -> str:
    result = runner.invoke(
        app,
        [
            "--as",
            "analyst-1",
            "portfolio",
            "scan",
            str(source),
            "--as-of",
            as_of,
            "--out",
            str(out),
            "--model",
            str(state / "model"),
            "--scorer",
            "lightgbm",
            "--chunk-rows",
            "1000",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def _flat(output: str) -> str:
    """The output with Rich's line wrapping undone (words only)."""
    return " ".join(output.split())


def _early_warning_cases() -> list[Case]:
    return open_store().list_cases(
        CaseFilter(status=None, kind="early_warning", limit=100_000)
    )


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
    cases = _early_warning_cases()
    assert len(cases) == len(with_case)
    assert {c.subject_id for c in cases} == set(with_case["customer_id"])
    assert f"review cases: {len(with_case)} opened, 0 already open" in _flat(output)
    assert f"review cases: 0 opened, {len(with_case)} already open" in _flat(again)
    assert (watch["case_state"].dropna() == "open").all()


def test_rerun_under_another_name_or_restarted_opens_no_second_case(
    state: Path, portfolio_csv: Path
) -> None:
    runner = CliRunner()
    _scan(runner, state, portfolio_csv, state / "watch-a.csv")
    first = {c.subject_id: c.id for c in _early_warning_cases()}

    output = _scan(runner, state, portfolio_csv, state / "watch-b.csv")
    restarted = _scan(
        runner, state, portfolio_csv, state / "watch-a.csv", "2005-09-30", "--restart"
    )

    cases = _early_warning_cases()
    assert len(cases) == len(first) > 0
    assert f"review cases: 0 opened, {len(first)} already open" in _flat(output)
    assert f"review cases: 0 opened, {len(first)} already open" in _flat(restarted)
    second = pd.read_csv(state / "watch-b.csv", dtype={"customer_id": str})
    linked = second.dropna(subset=["case_id"])
    assert dict(zip(linked["customer_id"], linked["case_id"], strict=True)) == first
    assert (linked["case_state"] == "open").all()


def test_resolved_case_stays_closed_for_its_date_and_a_later_scan_opens_anew(
    state: Path, portfolio_csv: Path
) -> None:
    runner = CliRunner()
    _scan(runner, state, portfolio_csv, state / "watch-sep.csv")
    store = open_store()
    resolved = _early_warning_cases()[0]
    code = next(c.code for c in store.list_reason_codes() if c.code != "OTHER")
    store.resolve_case(
        resolved.id, outcome="decline", reason_code=code, reviewer="rita"
    )
    n_cases = len(_early_warning_cases())

    same_date = _flat(_scan(runner, state, portfolio_csv, state / "watch-2.csv"))
    later = _flat(
        _scan(runner, state, portfolio_csv, state / "watch-oct.csv", "2005-10-31")
    )

    cases = _early_warning_cases()
    assert "review cases: 0 opened" in same_date
    assert "1 resolved earlier for this as-of date" in same_date
    assert "review cases: 1 opened" in later
    assert len(cases) == n_cases + 1
    new = [
        c for c in cases if c.status == "open" and c.details["as_of"] == "2005-10-31"
    ]
    assert [c.subject_id for c in new] == [resolved.subject_id]
    open_per_customer = pd.Series(
        [c.subject_id for c in cases if c.status == "open"]
    ).value_counts()
    assert open_per_customer.max() == 1


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


def test_cases_show_words_an_early_warning_case_for_collections(
    state: Path, portfolio_csv: Path
) -> None:
    # Regression of a new-user trial: `cases show` printed onboarding wording
    # ("referred because", application, band) for early-warning cases.
    runner = CliRunner()
    _scan(runner, state, portfolio_csv, state / "watch-sep.csv")
    case = max(_early_warning_cases(), key=lambda c: c.priority)

    result = runner.invoke(app, ["cases", "show", case.id[:8]])

    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    assert f"early warning for customer {case.subject_id}" in shown
    assert "statements as of 2005-09-30" in shown
    assert f"within the model's horizon (next month): {case.details['pd']:.3f}" in shown
    assert f"NT$ {case.details['exposure']:,.0f}" in shown
    assert f"proposed action: {case.details['action']}" in shown
    assert f"dunning rule {case.details['rule']}" in shown
    first_reason = case.details["reasons"].split("; ")[0].split(": ", 1)[1]
    assert " ".join(first_reason.split()[:3]) in shown
    for onboarding in ("referred because", "application", "band", "erased"):
        assert onboarding not in shown


def test_resolving_an_early_warning_case_says_whether_the_action_is_carried_out(
    state: Path, portfolio_csv: Path
) -> None:
    runner = CliRunner()
    _scan(runner, state, portfolio_csv, state / "watch-sep.csv")
    open_store().create_user("rita", ["reviewer"], "test")
    case = _early_warning_cases()[0]

    result = runner.invoke(
        app,
        [
            "--as",
            "rita",
            "cases",
            "resolve",
            case.id[:8],
            "--outcome",
            "decline",
            "--reason-code",
            "OTHER",
            "--comment",
            "customer paid by phone",
        ],
    )
    shown = _flat(runner.invoke(app, ["cases", "show", case.id[:8]]).output)

    assert result.exit_code == 0, result.output
    said = _flat(result.output)
    assert (
        f"resolved: proposed action not carried out ({case.details['action']}" in said
    )
    assert "machine recommended" not in said
    assert "resolved: proposed action not carried out by rita (OTHER)" in shown
    assert "comment: customer paid by phone" in shown


def test_cases_list_gives_an_early_warning_case_its_pd_and_action(
    state: Path, portfolio_csv: Path
) -> None:
    runner = CliRunner()
    _scan(runner, state, portfolio_csv, state / "watch-sep.csv")
    top = max(_early_warning_cases(), key=lambda c: c.priority)

    result = runner.invoke(app, ["cases", "list", "--limit", "1"])

    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if top.id[:10] in line)
    assert top.subject_id in row
    assert f"{top.details['pd']:.3f}" in row
    assert top.details["action"] in row
