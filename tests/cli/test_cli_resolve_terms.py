"""Approving a case via the CLI stores terms; prefixes; OTHER needs a comment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from cli_support import open_cases
from typer.testing import CliRunner

from finduo.cli import app
from finduo.settings import get_settings
from finduo.store import Store


def test_approve_takes_band_terms_or_asks_for_them(
    state: Path, runner: CliRunner, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    cases = open_cases(state, runner, split)
    store = Store.from_settings(get_settings())
    assert len(cases) >= 2
    first, second = cases[0], cases[1]

    other = runner.invoke(
        app,
        [
            "--as",
            "rita",
            "cases",
            "resolve",
            first.id[:4],
            "--outcome",
            "decline",
            "--reason-code",
            "OTHER",
        ],
    )
    assert other.exit_code == 2, other.output
    assert "--comment" in other.output
    assert "comment must say what the reason is" in " ".join(
        other.output.replace("│", " ").split()
    )
    assert store.get_case(first.id).status == "open"

    manual = runner.invoke(
        app,
        [
            "--as",
            "rita",
            "cases",
            "resolve",
            first.id[:5],
            "--outcome",
            "approve",
            "--reason-code",
            "OTHER",
            "--comment",
            "known customer",
            "--payment-method",
            "prepayment",
            "--payment-method",
            "direct_debit",
            "--credit-limit",
            "800",
            "--max-term",
            "12",
        ],
    )
    assert manual.exit_code == 0, manual.output
    stored = store.get_case(first.id).resolution
    assert stored is not None and stored.terms is not None
    assert stored.terms.credit_limit == 800
    assert stored.terms.payment_methods == ["prepayment", "direct_debit"]
    shown = runner.invoke(app, ["cases", "show", first.id[:4]])
    assert "comment: known customer" in shown.output
    assert "credit limit 800" in shown.output

    plain = runner.invoke(
        app,
        [
            "--as",
            "rita",
            "cases",
            "resolve",
            second.id,
            "--outcome",
            "approve",
            "--reason-code",
            "OTHER",
            "--comment",
            "ok",
        ],
    )
    band_terms = store.get_case(second.id).resolution
    if plain.exit_code == 2:
        assert "grants no credit" in plain.output
        assert band_terms is None
    else:
        assert plain.exit_code == 0, plain.output
        assert band_terms is not None and band_terms.terms is not None
        assert band_terms.terms.credit_limit > 0
    store.close()
