"""``finduo report MODEL_VERSION``: write the model's HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from finduo.cli._common import console, open_store


def report(
    model_version: Annotated[
        str, typer.Argument(help="Model version (finduo model list / train output).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="HTML file; default <state>/reports/<version>.html."),
    ] = None,
    folds: Annotated[
        int, typer.Option(min=2, help="Folds of the out-of-fold plots.")
    ] = 5,
) -> None:
    """Data, features, protected characteristics, evaluation, plots, PSI, fairness."""
    from finduo.monitoring.reference import model_folder
    from finduo.reporting import write_model_report
    from finduo.settings import get_settings

    store = open_store()
    folder = model_folder(store, model_version)
    target = out or get_settings().state_dir / "reports" / f"{model_version}.html"
    with console.status(f"evaluating {model_version} out of fold ..."):
        result = write_model_report(folder, target, store=store, folds=folds)
    console.print(f"model report written to {result.path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)


__all__ = ["register"]
