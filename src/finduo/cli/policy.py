"""``finduo policy show | validate FILE | cutoffs``: read and check the strategy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from finduo.cli._common import active_policy, console, open_store
from finduo.errors import ConfigError, PolicyError
from finduo.policy.fields import unknown_rule_fields
from finduo.policy.loader import LoadedPolicy, load_policy
from finduo.policy.schema import Amount

policy_app = typer.Typer(
    help="The decision policy: show it, validate a file, print the cut-off table.",
    no_args_is_help=True,
)


def _amount(amount: Amount) -> str:
    if amount.fixed is not None:
        text = f"{amount.fixed:,.0f}"
    else:
        text = f"{amount.fraction_of_amount:.0%} of amount"
    return text + (f", at most {amount.max:,.0f}" if amount.max is not None else "")


def print_policy(loaded: LoadedPolicy) -> None:
    """Print a policy as Rich tables."""
    p = loaded.policy
    console.print(f"[bold]{p.name}[/]  version [cyan]{loaded.version}[/]")
    console.print(f"source: {loaded.source}")
    if p.description:
        console.print(p.description)
    console.print(
        f"champion model: {p.champion}; protected: {', '.join(p.protected)}; "
        f"quality sample: {p.quality_sample.share:.1%}; reasons: up to "
        f"{p.max_reasons}"
    )
    c = p.cutoffs
    console.print(
        f"pd < {c.approve_below:g}: approve · {c.approve_below:g} <= pd < "
        f"{c.decline_from:g}: refer (grey zone) · pd >= {c.decline_from:g}: decline"
        f" · recommendation: decline at pd >= {c.decline_cutoff:g}"
    )
    bands = Table(title="Risk bands and terms")
    for column in ("band", "pd below", "payment", "limit", "deposit", "term", "disc."):
        bands.add_column(column)
    for band in p.bands:
        t = band.terms
        bands.add_row(
            band.name,
            f"{band.max_pd:g}",
            ", ".join(t.payment_methods),
            _amount(t.credit_limit),
            _amount(t.deposit),
            f"{t.max_term_months} mo",
            f"{t.discount_pct:g} %",
        )
    console.print(bands)
    rules = Table(title="Hard rules")
    for column in ("id", "condition", "action", "reason code"):
        rules.add_column(column)
    for rule in p.rules:
        rules.add_row(
            rule.id,
            f"{rule.field} {rule.op.value} {rule.value!r}",
            rule.action,
            rule.reason_code,
        )
    console.print(rules)


@policy_app.command("show")
def show(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Policy file; default FINDUO_POLICY, the active one, or shipped."
        ),
    ] = None,
) -> None:
    """Show the policy in force (or FILE): cut-offs, bands, terms, rules."""
    print_policy(active_policy(file, open_store() if file is None else None))


@policy_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Policy YAML file to check.")],
) -> None:
    """Validate a policy file; print its version, or every error and exit 4.

    Rule fields are checked against the fields applications have: the
    features of the newest trained model of the policy's champion kind, the
    protected characteristics, the amount field and the declared ``fields``.
    """
    loaded = load_policy(file)
    features, source = champion_features(loaded)
    if features is None:
        console.print(
            f"[yellow]note[/]: {source}: rule fields not checked (train the "
            "champion first to check them)"
        )
    unknown = [] if features is None else unknown_rule_fields(loaded.policy, features)
    if unknown:
        raise PolicyError(
            f"{file}: "
            + "; ".join(u.message() for u in unknown)
            + f" (fields known from {source})",
            path=str(file),
            rules=[u.rule for u in unknown],
        )
    console.print(f"[green]valid[/]: {file} -> version {loaded.version}")


def champion_features(loaded: LoadedPolicy) -> tuple[list[str] | None, str]:
    """Feature names of the model that would decide under ``loaded``, and whence."""
    from finduo.lifecycle.champion import champion_folder
    from finduo.models.base import read_meta

    try:
        folder = champion_folder(loaded)
    except ConfigError:
        if loaded.policy.name.startswith("german-credit"):
            from finduo.datasets.german import CATEGORICAL, NUMERIC

            return [*NUMERIC, *CATEGORICAL], "the German credit data's columns"
        return None, f"no trained {loaded.policy.champion} model"
    features = [str(f["name"]) for f in read_meta(folder).get("features", [])]
    return features, f"model {folder.name}"


_HEADERS = {
    "cutoff": "pd cut-off",
    "approval_rate": "approved",
    "expected_bad_rate": "exp. bad rate",
    "observed_bad_rate": "obs. bad rate",
    "expected_cost": "cost/appl.",
    "bayes": "Bayes",
}
_PERCENT = {"approval_rate", "expected_bad_rate", "observed_bad_rate"}


def _cell(column: str, value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.1%}" if column in _PERCENT else f"{value:.4g}"
    return str(value)


@policy_app.command("cutoffs")
def cutoffs(
    dataset: Annotated[
        str, typer.Option(help="Data set name (see finduo train).")
    ] = "german-credit",
    model: Annotated[
        str | None,
        typer.Option(help="lightgbm or scorecard; default the policy's champion."),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the folds.")] = 0,
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="Policy file (for the champion).")
    ] = None,
) -> None:
    """Strategy table from out-of-fold predictions: approval and bad rate by cut-off."""
    from finduo.evaluation import cutoff_table

    loaded = active_policy(policy_file)
    kind = model or loaded.policy.champion
    with console.status(f"out-of-fold predictions of {kind} on {dataset} ..."):
        rows = cutoff_table(dataset=dataset, kind=kind, folds=folds, seed=seed)
    table = Table(
        title=f"Cut-off table: {kind} on {dataset}, {folds}-fold out-of-fold pd"
    )
    for column in rows.columns:
        table.add_column(_HEADERS.get(str(column), str(column)), justify="right")
    for record in rows.to_dict(orient="records"):
        table.add_row(*(_cell(str(k), v) for k, v in record.items()))
    console.print(table)
    c = loaded.policy.cutoffs
    console.print(
        f"policy {loaded.version}: approve below {c.approve_below:g}, "
        f"decline from {c.decline_from:g}, recommendation cut-off "
        f"{c.decline_cutoff:g}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
