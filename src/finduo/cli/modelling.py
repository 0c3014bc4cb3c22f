"""``finduo train`` and ``finduo evaluate``: models and their honest evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from finduo.cli._common import decimal_option, sep_option
from finduo.errors import ConfigError

if TYPE_CHECKING:
    from finduo.datasets.registry import DatasetInfo
    from finduo.evaluation.cv import Evaluation
    from finduo.models import RiskModel

console = Console()
err_console = Console(stderr=True)

DatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset", help="Registered data set (default german-credit without --data)."
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Any CSV with a binary target column (see --target)."),
]
TargetOpt = Annotated[
    str | None, typer.Option("--target", help="Target column of --data (1/bad = bad).")
]
SepOpt = Annotated[
    str | None,
    typer.Option(
        "--sep", help="Field separator of --data (detected).", callback=sep_option
    ),
]
DecimalOpt = Annotated[
    str | None,
    typer.Option(
        "--decimal", help="Decimal mark of --data (detected).", callback=decimal_option
    ),
]
EncodingOpt = Annotated[
    str | None, typer.Option("--encoding", help="Text encoding of --data (detected).")
]
ProtectedOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--protected",
        help="Protected characteristic of --data (repeatable): never a model input.",
    ),
]
CostBadOpt = Annotated[
    float | None,
    typer.Option(
        "--cost-bad-accepted", min=0, help="Cost of approving a bad (--data: 1)."
    ),
]
CostGoodOpt = Annotated[
    float | None,
    typer.Option(
        "--cost-good-declined", min=0, help="Cost of declining a good (--data: 1)."
    ),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of folds and models.")]
FoldsOpt = Annotated[
    int | None, typer.Option("--folds", min=2, help="Folds (data set default).")
]
RepeatsOpt = Annotated[
    int | None, typer.Option("--repeats", min=1, help="Repeats (data set default).")
]
JobsOpt = Annotated[
    int | None, typer.Option("--jobs", min=1, help="Folds in parallel (default 2).")
]


def _dataset(
    dataset: str | None,
    data: Path | None,
    target: str | None,
    sep: str | None,
    decimal: str | None,
    encoding: str | None,
    protected: list[str] | None,
    cost_bad: float | None,
    cost_good: float | None,
) -> DatasetInfo:
    # imports inside keep `finduo --help` fast
    from dataclasses import replace

    from finduo.datasets import dataset_from_csv, get_dataset

    if data is not None and dataset is not None:
        raise ConfigError(
            "give either --dataset or --data FILE --target COL, not both."
        )
    if data is not None:
        if not target:
            raise ConfigError("--data needs --target COLUMN (the 0/1 outcome).")
        info = dataset_from_csv(
            data,
            target,
            sep=sep,
            decimal=decimal,
            encoding=encoding,
            protected=protected or (),
        )
    else:
        if target or protected:
            raise ConfigError("--target and --protected go with --data FILE.")
        info = get_dataset(dataset or "german-credit")
    return replace(
        info,
        cost_bad_accepted=info.cost_bad_accepted if cost_bad is None else cost_bad,
        cost_good_declined=info.cost_good_declined if cost_good is None else cost_good,
    )


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _cross_validate(
    info: DatasetInfo,
    folds: int | None,
    repeats: int | None,
    seed: int,
    jobs: int | None,
) -> Evaluation:
    from finduo.evaluation import evaluate_dataset

    with _progress() as bar:
        task = bar.add_task(f"cross-validating on {info.name}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return evaluate_dataset(
            info,
            folds=folds,
            repeats=repeats,
            seed=seed,
            n_jobs=jobs,
            progress=advance,
        )


def evaluate(
    dataset: DatasetOpt = None,
    data: DataOpt = None,
    target: TargetOpt = None,
    sep: SepOpt = None,
    decimal: DecimalOpt = None,
    encoding: EncodingOpt = None,
    protected: ProtectedOpt = None,
    cost_bad_accepted: CostBadOpt = None,
    cost_good_declined: CostGoodOpt = None,
    folds: FoldsOpt = None,
    repeats: RepeatsOpt = None,
    seed: SeedOpt = 0,
    jobs: JobsOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only the JSON result on stdout.")
    ] = False,
) -> None:
    """Repeated stratified cross-validation of both models and the baseline."""
    info = _dataset(
        dataset,
        data,
        target,
        sep,
        decimal,
        encoding,
        protected,
        cost_bad_accepted,
        cost_good_declined,
    )
    result = _cross_validate(info, folds, repeats, seed, jobs)
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    console.print(_metrics_table(result))
    console.print(
        f"cost matrix: bad approved {info.cost_bad_accepted:g}, good declined "
        f"{info.cost_good_declined:g}; decline when pd > {result.cutoff:.4g} "
        f"(Bayes cut-off); {result.seconds:.0f} s"
    )


def _metrics_table(result: Evaluation) -> Table:
    title = (
        f"{result.dataset}: {result.folds}-fold x {result.repeats} cross-validation, "
        f"seed {result.seed} (held-out folds only)"
    )
    table = Table(title=title)
    headers = {
        "auc": "AUC",
        "auc_std": "± sd",
        "gini": "Gini",
        "ks": "KS",
        "brier": "Brier",
        "expected_cost": "cost/appl.",
        "expected_cost_std": "± sd",
    }
    table.add_column("model")
    for header in headers.values():
        table.add_column(header, justify="right")
    for name, figures in result.models.items():
        table.add_row(name, *(f"{figures[c]:.4f}" for c in headers))
    return table


def _versions_table(models: dict[str, RiskModel], folders: dict[str, Path]) -> Table:
    where = {str(f.parent) for f in folders.values()}
    table = Table(title=f"Saved in {', '.join(sorted(where))}")
    table.add_column("kind")
    table.add_column("version", no_wrap=True)
    for kind, model in models.items():
        table.add_row(kind, model.version)
    return table


def train(
    dataset: DatasetOpt = None,
    data: DataOpt = None,
    target: TargetOpt = None,
    sep: SepOpt = None,
    decimal: DecimalOpt = None,
    encoding: EncodingOpt = None,
    protected: ProtectedOpt = None,
    cost_bad_accepted: CostBadOpt = None,
    cost_good_declined: CostGoodOpt = None,
    seed: SeedOpt = 0,
    folds: FoldsOpt = None,
    repeats: RepeatsOpt = None,
    jobs: JobsOpt = None,
    from_store: Annotated[
        bool,
        typer.Option(
            "--from-store",
            help="Retrain from stored decisions with matured outcomes; register "
            "the models as candidates (see finduo model).",
        ),
    ] = False,
    reject_inference: Annotated[
        str,
        typer.Option(help="With --from-store: parcelling or none (declined rows)."),
    ] = "parcelling",
) -> None:
    """Train LightGBM and the scorecard on all rows; save both with CV metrics."""
    if from_store:
        from finduo.cli.learning import train_from_store_command

        train_from_store_command(seed, folds, reject_inference, None)
        return
    from finduo.models import save_model, train_models

    info = _dataset(
        dataset,
        data,
        target,
        sep,
        decimal,
        encoding,
        protected,
        cost_bad_accepted,
        cost_good_declined,
    )
    result = _cross_validate(info, folds, repeats, seed, jobs)
    ids = [info.id_column] if info.id_column else []
    with err_console.status(f"training on all rows of {info.name} ..."):
        models = train_models(
            info.load(),
            info.target,
            info.name,
            protected=info.protected,
            seed=seed,
            id_columns=[*ids, *info.extra_ids, *info.raw_columns],
            params=info.params,
            metrics={
                kind: {**figures, "folds": result.folds, "repeats": result.repeats}
                for kind, figures in result.models.items()
            },
        )
        folders = {kind: save_model(model) for kind, model in models.items()}
    console.print(_metrics_table(result))
    console.print(_versions_table(models, folders))
    console.print("baseline: evaluated for comparison only, not saved.")
    if info.protected:
        console.print(f"not used as inputs (protected): {', '.join(info.protected)}")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)


__all__ = ["register"]
