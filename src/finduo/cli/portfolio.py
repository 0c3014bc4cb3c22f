"""``finduo portfolio scan | generate | lateness``: early warning."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from finduo.cli._common import actor, console, open_store
from finduo.errors import DataError
from finduo.settings import get_settings

portfolio_app = typer.Typer(
    help="Early warning: scan the portfolio, rank customers by the risk that "
    "they stop paying, propose an action for each one on the watchlist.",
    no_args_is_help=True,
)


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise DataError(f"--as-of must be a date as YYYY-MM-DD; got {text!r}") from None


@portfolio_app.command("scan")
def scan(
    input: Annotated[
        Path, typer.Argument(help="Statements in the wide layout (.parquet or .csv).")
    ],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Month of statement 1 (YYYY-MM-DD).")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Watchlist file (.csv or .parquet).")
    ],
    engine: Annotated[
        str,
        typer.Option("--engine", help="local, or spark (needs pyspark and Java 17)."),
    ] = "local",
    model: Annotated[
        Path | None,
        typer.Option(help="Model folder; default the newest Taiwan LightGBM."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="Early-warning policy YAML; default the shipped one."),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            help="Watchlist of the previous scan; default the last finished scan."
        ),
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option(min=1000, help="Customers per chunk.")
    ] = 500_000,
    scorer: Annotated[
        str, typer.Option(help="lleaves (compiled trees) or lightgbm (stock predict).")
    ] = "lleaves",
    restart: Annotated[
        bool,
        typer.Option(help="Discard an unfinished scan of other inputs in the way."),
    ] = False,
    cases: Annotated[
        bool, typer.Option(help="Open review cases above the policy's exposure.")
    ] = True,
    reasons: Annotated[
        bool,
        typer.Option(
            help="Top reasons for watchlist rows (about 1 ms a row; "
            "--no-reasons for very large watchlists)."
        ),
    ] = True,
) -> None:
    """Score every customer, compare with the previous scan, write the watchlist."""
    from finduo.portfolio.runner import (
        build_scorer,
        previous_scan,
        remember_scan,
        store_case_opener,
    )
    from finduo.portfolio.scan import input_rows, run_scan
    from finduo.portfolio.synthetic import is_synthetic

    if engine not in ("local", "spark"):
        raise DataError(f"--engine must be local or spark; got {engine!r}")
    if scorer not in ("lleaves", "lightgbm"):
        raise DataError(f"--scorer must be lleaves or lightgbm; got {scorer!r}")
    day = _date(as_of)
    settings = get_settings()
    chunk_scorer = build_scorer(
        settings.state_dir,
        model,
        policy,
        "lightgbm" if engine == "spark" else scorer,  # type: ignore[arg-type]
    )
    before = previous or previous_scan(settings.state_dir, out)
    opener = None
    if cases:
        store = open_store()
        opener = store_case_opener(
            store,
            actor(),
            {
                "scan": out.name,
                "as_of": day.isoformat(),
                "model_version": chunk_scorer.model.version,
                "policy_version": chunk_scorer.policy.version,
            },
            {r.id: r.description for r in chunk_scorer.policy.policy.rules},
        )
    chunk_scorer.with_reasons = reasons
    if input.suffix.lower() == ".parquet" and is_synthetic(input):
        console.print("[yellow]SYNTHETIC portfolio[/] (generated, not real customers)")
    total = input_rows(input) if input.exists() else None
    columns = (
        TextColumn("[bold]scan"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.fields[shown]} customers"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("scan", total=total, shown=f"{total:,}" if total else "?")

        def progress(done: int, _total: int | None) -> None:
            bar.update(task, completed=done)

        if engine == "spark":
            from finduo.portfolio.spark import run_spark_scan

            result = run_spark_scan(
                input,
                day,
                out,
                chunk_scorer,
                previous=before,
                open_cases=opener,
                progress=progress,
            )
        else:
            result = run_scan(
                input,
                day,
                out,
                chunk_scorer,
                previous=before,
                chunk_rows=chunk_rows,
                restart=restart,
                open_cases=opener,
                progress=progress,
            )
    remember_scan(settings.state_dir, out)
    table = Table(title=f"watchlist {out} ({result.watched:,} of {result.customers:,})")
    table.add_column("count")
    table.add_column("customers", justify="right")
    for key, value in sorted(result.counts.items()):
        table.add_row(key, f"{value:,}")
    console.print(table)
    console.print(
        f"model {chunk_scorer.model.version}, policy {chunk_scorer.policy.version}; "
        f"compared with {before or 'no previous scan'}; "
        f"{result.resumed_chunks} chunk(s) resumed; {result.seconds:.1f}s"
    )
    if cases:
        existing = result.cases_existing
        console.print(
            f"review cases: {result.cases_opened} opened, "
            f"{existing.get('open', 0)} already open (left as they are), "
            f"{existing.get('resolved', 0)} resolved earlier for this as-of date "
            "(not opened again); see case_id and case_state in the watchlist"
        )


@portfolio_app.command("generate")
def generate(
    rows: Annotated[int, typer.Argument(min=1, help="Number of synthetic customers.")],
    out: Annotated[Path, typer.Option("--out", help="Parquet file to write.")],
    seed: Annotated[int, typer.Option(help="Seed of resampling and noise.")] = 0,
) -> None:
    """Write a SYNTHETIC portfolio resampled and perturbed from the Taiwan rows."""
    from finduo.portfolio.synthetic import generate_portfolio

    generate_portfolio(rows, out, seed=seed)
    console.print(f"SYNTHETIC portfolio of {rows:,} customers written to {out}")


@portfolio_app.command("lateness")
def lateness(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object.")
    ] = False,
    train_share: Annotated[
        float,
        typer.Option(min=0.3, max=0.9, help="Share of invoices, by date, to train on."),
    ] = 0.7,
    seed: Annotated[int, typer.Option(help="Model seed.")] = 0,
) -> None:
    """Evaluate by time whether an open invoice will be paid late (vs a naive rule)."""
    from finduo.behaviour.lateness import evaluate_lateness
    from finduo.datasets.invoices import load_invoices

    report = evaluate_lateness(load_invoices(), train_share=train_share, seed=seed)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    table = Table(title=f"invoice lateness, train before {report['split']['cutoff']}")
    for name in ("model", "auc", "brier", "accuracy"):
        table.add_column(name)
    for name, values in report["models"].items():
        table.add_row(name, *(f"{values[k]:.4f}" for k in ("auc", "brier", "accuracy")))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(portfolio_app, name="portfolio")


__all__ = ["register"]
