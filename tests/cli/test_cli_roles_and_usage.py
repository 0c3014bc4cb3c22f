"""The CLI checks roles as the API does, and refuses bad resolutions as usage errors.

`finduo decide` needs the decider role (as POST /v1/decisions), `finduo cases
resolve` the reviewer role (as POST /v1/cases/{id}/resolution); a value the
resolution cannot take exits with 2, like any other bad option value.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pandas as pd
import pytest
from cli_support import open_cases, said
from typer.testing import CliRunner, Result

from finduo.cli import app
from finduo.datasets.german import TARGET
from finduo.errors import AuthError, FinduoError, PermissionDenied
from finduo.settings import get_settings
from finduo.store import Store
from finduo.store.records import CaseStatus


def _exit_code(result: Result) -> int:
    """The exit code `finduo` would give (main() maps FinduoError to its code)."""
    if isinstance(result.exception, FinduoError):
        return result.exception.exit_code
    return result.exit_code


def test_decide_needs_the_decider_role(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    applications = state / "apps.csv"
    split[1].drop(columns=[TARGET]).head(5).to_csv(applications, index=False)

    reviewer = runner.invoke(
        app,
        ["--as", "rita", "decide", str(applications), "--out", str(state / "r.csv")],
    )
    stranger = runner.invoke(
        app, ["--as", "zoe", "decide", str(applications), "--out", str(state / "z.csv")]
    )

    assert isinstance(reviewer.exception, PermissionDenied)
    assert _exit_code(reviewer) == 8
    assert str(reviewer.exception) == (
        "decide needs the role decider; 'rita' has reviewer."
    )
    assert isinstance(stranger.exception, AuthError)
    assert "'zoe' is unknown" in str(stranger.exception)
    assert not (state / "r.csv").exists() and not (state / "z.csv").exists()
    store = Store.from_settings(get_settings())
    assert store.latest_decisions_for(list(split[1]["application_id"][:5])) == {}
    store.close()


@pytest.mark.parametrize(
    ("acting", "extra", "message"),
    [
        (["--as", "carla"], [], "resolve_cases needs the role reviewer; 'carla' has"),
        (["--as", "rita"], ["--reviewer", "eva"], "'eva' has decider"),
        (["--as", "zoe"], [], "'zoe' is unknown"),
    ],
)
def test_resolve_needs_the_reviewer_role(
    state: Path,
    runner: CliRunner,
    split: tuple[pd.DataFrame, pd.DataFrame],
    acting: list[str],
    extra: list[str],
    message: str,
) -> None:
    case = open_cases(state, runner, split)[0]

    result = runner.invoke(
        app,
        [
            *acting,
            *["cases", "resolve", case.id, "--outcome", "decline"],
            *["--reason-code", "CONFIRMS_MACHINE", *extra],
        ],
    )

    assert _exit_code(result) == 8
    assert message in str(result.exception)
    store = Store.from_settings(get_settings())
    assert store.get_case(case.id).status == "open"
    store.close()


@pytest.mark.parametrize(
    ("options", "option", "message"),
    [
        (["--outcome", "decline", "--reason-code", "OTHER"], "--comment", "OTHER"),
        (
            ["--outcome", "decline", "--reason-code", "OTHER", "--comment", " "],
            "--comment",
            "got ' '",
        ),
        (["--outcome", "approve", "--reason-code", "NOPE"], "--reason-code", "NOPE"),
        (
            [
                "--outcome",
                "decline",
                "--reason-code",
                "AFFORDABILITY",
                "--deposit",
                "5",
            ],
            "--deposit",
            "outcome 'approve'",
        ),
        (["--outcome", "maybe", "--reason-code", "OTHER"], "--outcome", "maybe"),
    ],
)
def test_bad_resolution_input_is_a_usage_error_with_exit_code_2(
    state: Path,
    runner: CliRunner,
    split: tuple[pd.DataFrame, pd.DataFrame],
    options: list[str],
    option: str,
    message: str,
) -> None:
    case = open_cases(state, runner, split)[0]

    result = runner.invoke(
        app, ["--as", "rita", "cases", "resolve", case.id[:8], *options]
    )

    text = said(result)
    assert result.exit_code == 2, result.output
    assert option in text and message in text
    store = Store.from_settings(get_settings())
    assert store.get_case(case.id).status == "open"
    store.close()


def test_cases_list_takes_the_statuses_the_api_takes(
    state: Path, runner: CliRunner
) -> None:
    statuses = [*get_args(CaseStatus), "any", "all"]

    results = {
        s: runner.invoke(app, ["cases", "list", "--status", s]) for s in statuses
    }
    unknown = runner.invoke(app, ["cases", "list", "--status", "closed"])

    for status, result in results.items():
        assert result.exit_code == 0, (status, result.output)
    assert "0 superseded case(s)" in results["superseded"].output
    assert unknown.exit_code == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["decide", "a.csv", "--out", "d.csv", "--decimal", "x"], "'x' is not"),
        (["decide", "a.csv", "--out", "d.csv", "--sep", ";;"], "single character"),
        (
            ["decide", "a.csv", "--out", "d.csv", "--sep", ",", "--decimal", ","],
            "cannot both be ','",
        ),
        (["decide", "a.csv", "--out", "d.xlsx"], ".csv or .jsonl"),
        (["evaluate", "--data", "a.csv", "--target", "bad", "--decimal", ";"], "';'"),
    ],
)
def test_bad_option_values_of_other_commands_exit_with_2_too(
    state: Path, runner: CliRunner, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["--as", "carla", *arguments])

    assert result.exit_code == 2, result.output
    assert message in said(result)
