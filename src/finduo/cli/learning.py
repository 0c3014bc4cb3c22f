"""``finduo reject-inference`` (the honest experiment) and ``train --from-store``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from finduo.cli._common import actor, console, open_store


def reject_inference(
    learner: Annotated[
        str, typer.Option(help="logistic (scorecard-like) or lightgbm.")
    ] = "logistic",
    folds: Annotated[int, typer.Option(min=2, help="Outer folds.")] = 5,
    repeats: Annotated[int, typer.Option(min=1, help="Outer repeats.")] = 2,
    decline_share: Annotated[
        float, typer.Option(min=0.05, max=0.9, help="Share the first model declines.")
    ] = 0.3,
    seed: Annotated[int, typer.Option(help="Seed of folds and models.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Does reject inference help? Hide the outcomes a first model would decline
    on German credit, train with and without inference, compare on the full truth."""
    from finduo.learning.experiment import german_experiment

    with console.status("running the hidden-outcomes experiment ..."):
        result = german_experiment(
            learner=learner,  # type: ignore[arg-type,unused-ignore]
            folds=folds,
            repeats=repeats,
            decline_share=decline_share,
            seed=seed,
        )
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    s = result.settings
    table = Table(
        title=f"Reject inference on German credit: {s['learner']}, {folds}x{repeats} "
        f"CV, first model declines {decline_share:.0%} of each training fold"
    )
    cols = {
        "auc": "AUC",
        "auc_vs_known": "ΔAUC",
        "brier": "Brier",
        "expected_cost": "cost",
        "cost_vs_known": "Δcost",
        "cost_vs_known_std": "±",
        "approval_rate": "appr",
        "bad_rate_at_share": "bad@",
    }
    table.add_column("trained on")
    for header in cols.values():
        table.add_column(header, justify="right")
    names = {
        "known_only": "approved",
        "fuzzy": "+fuzzy",
        "parcelling": "+parcel",
        "oracle": "oracle",
    }
    for variant, row in result.summary.iterrows():
        table.add_row(
            names.get(str(variant), str(variant)),
            *[
                f"{row[c]:+.3f}" if c.endswith("vs_known") else f"{row[c]:.3f}"
                for c in cols
            ],
        )
    console.print(table)
    spread = {str(k): float(v) for k, v in result.summary["expected_cost_std"].items()}
    console.print(
        f"Evaluated on held-out folds with every outcome known. Expected cost at "
        f"the Bayes cut-off pd < {s['cutoff']:.4f} (5 per bad approved, 1 per good "
        f"declined); bad rate at share = bad rate among the {1 - decline_share:.0%} "
        "lowest-pd applicants (bad@); approved = trained on approved only; "
        "+fuzzy / +parcel: with reject inference; oracle: every outcome (no live "
        "process has it); Δ = paired difference to approved only, fold by "
        "fold (± its std). Fold-to-fold spread of the cost (std): "
        + ", ".join(
            f"{names[v]} cost ±{spread[v]:.3f}" for v in ("known_only", "parcelling")
        )
        + f". {s['seconds']} s."
    )


def train_from_store_command(
    seed: int,
    folds: int | None,
    reject_method: str,
    as_of: datetime | None,
) -> None:
    """The ``--from-store`` branch of ``finduo train``."""
    from finduo.learning.from_store import train_from_store

    store = open_store()
    with console.status("training from stored decisions with matured outcomes ..."):
        result = train_from_store(
            store,
            actor(),
            as_of=as_of.replace(tzinfo=UTC) if as_of else None,
            reject_inference=reject_method,  # type: ignore[arg-type]
            folds=folds or 5,
            seed=seed,
        )
    console.print(
        f"{result.n_known:,} decisions with matured outcomes ({result.n_bad:,} bad); "
        f"{result.n_rejects:,} declined without outcome, "
        f"{result.n_inferred:,} entered by {result.method}"
    )
    table = Table(title="Cross-validation on matured outcomes (inferred rows excluded)")
    cols = ["auc", "gini", "ks", "brier", "expected_cost"]
    table.add_column("model")
    for c in cols:
        table.add_column(c, justify="right")
    for kind, figures in result.evaluation.items():
        table.add_row(kind, *[f"{figures[c]:.4f}" for c in cols])
    console.print(table)
    for kind, version in result.versions.items():
        console.print(f"{kind}: candidate {version} (in {result.folders[kind]})")
    console.print(
        "next: an approver other than you runs `finduo model approve VERSION`, "
        "then `finduo model promote VERSION`."
    )


def register(app: typer.Typer) -> None:
    app.command("reject-inference")(reject_inference)


__all__ = ["register", "train_from_store_command"]
