"""``finduo decide applications.csv --out decisions.csv``: decide a batch.

Every row read ends up somewhere: decided (and stored, with a case for each
referral) or in the rejects file next to the output with its row number,
field, reason and value. The counts are printed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from finduo.cli._common import (
    active_policy,
    actor,
    console,
    current_user,
    decimal_option,
    open_store,
    sep_option,
)
from finduo.decisions.batch import rejects_path_for, validate_frame, write_rejects
from finduo.decisions.model import Decision
from finduo.identity import Permission
from finduo.identity.acting import acting_as

if TYPE_CHECKING:
    import pandas as pd

    from finduo.datasets.csvio import TextTable
    from finduo.decisions.batch import ValidatedBatch
    from finduo.decisions.engine import Engine

OUTPUT_COLUMNS = (
    "application_id",
    "decision_id",
    "outcome",
    "recommendation",
    "pd",
    "band",
    "payment_methods",
    "credit_limit",
    "deposit",
    "max_term_months",
    "discount_pct",
    "reasons",
    "reasons_de",
    "reason_codes",
    "referral_reasons",
    "rules_fired",
    "case_id",
    "model_version",
    "policy_version",
    "inputs_fingerprint",
)


def decision_row(decision: Decision, case_id: str | None) -> dict[str, Any]:
    """One decision as a flat CSV row (lists joined by '; ')."""
    t = decision.terms
    return {
        "application_id": decision.application_id,
        "decision_id": decision.decision_id,
        "outcome": decision.outcome,
        "recommendation": decision.recommendation,
        "pd": round(decision.pd, 6),
        "band": decision.band,
        "payment_methods": "; ".join(t.payment_methods) if t else "",
        "credit_limit": t.credit_limit if t else "",
        "deposit": t.deposit if t else "",
        "max_term_months": t.max_term_months if t else "",
        "discount_pct": t.discount_pct if t else "",
        "reasons": "; ".join(r.text.get("en", r.code) for r in decision.reasons),
        "reasons_de": "; ".join(
            r.text.get("de", r.text.get("en", r.code)) for r in decision.reasons
        ),
        "reason_codes": "; ".join(r.code for r in decision.reasons),
        "referral_reasons": "; ".join(decision.referral_reasons),
        "rules_fired": "; ".join(decision.rules_fired),
        "case_id": case_id or "",
        "model_version": decision.model_version,
        "policy_version": decision.policy_version,
        "inputs_fingerprint": decision.inputs_fingerprint,
    }


def write_decisions(path: Path, decided: Iterable[tuple[Decision, str | None]]) -> Path:
    """Write decisions as CSV, or as JSON lines when ``path`` ends in .jsonl."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        if path.suffix.lower() == ".jsonl":
            for decision, case_id in decided:
                data = decision.model_dump(mode="json")
                data["case_id"] = case_id
                handle.write(json.dumps(data, ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS)
            writer.writeheader()
            for decision, case_id in decided:
                writer.writerow(decision_row(decision, case_id))
    return path


def load_engine(
    policy_file: Path | None,
    model_dir: Path | None,
    store: Any,
    user: str,
    dataset: str | None = None,
) -> Engine:
    """The engine of the CLI: policy in force, its champion model, the store.

    Without ``model_dir``: the store's promoted (active) model of the
    policy's champion kind, else the newest saved model of that kind, trained
    on ``dataset`` when given, else preferably on the data set the policy is
    named after (see :func:`finduo.lifecycle.champion.champion_folder`).
    """
    from finduo.decisions.engine import Engine
    from finduo.lifecycle.champion import champion_folder
    from finduo.models import load_model

    loaded = active_policy(policy_file, store)
    if model_dir is None:
        model_dir = champion_folder(loaded, store=store, dataset=dataset)
    return Engine(load_model(model_dir), loaded, store, actor=user)


def read_applications(
    path: Path, sep: str | None, decimal: str | None, encoding: str | None
) -> TextTable:
    """Read an applications CSV as text (conventions detected or set by flags).

    Numbers are parsed per cell by validation, strictly under the decimal
    mark: a misread amount is a reject, never a silent wrong number.
    """
    from finduo.datasets.csvio import read_text_table

    return read_text_table(path, sep=sep, decimal=decimal, encoding=encoding)


def decided_before(store: Any, frame: pd.DataFrame) -> dict[str, str]:
    """Application ids of ``frame`` the store has decided, with the reject reason."""
    from finduo.decisions.validation import ID_FIELD

    if ID_FIELD not in frame.columns:
        return {}
    ids = [str(v).strip() for v in frame[ID_FIELD] if v is not None]
    found = store.latest_decisions_for(ids)
    return {
        app_id: (
            f"already decided on {created:%Y-%m-%d} as {decision_id}; "
            "use --redecide to decide again"
        )
        for app_id, (decision_id, created) in found.items()
    }


def check_out_path(out: Path) -> None:
    """Refuse an output file other than .csv or .jsonl (a usage error, exit 2)."""
    if out.suffix.lower() not in (".csv", ".jsonl"):
        raise typer.BadParameter(
            f"{out}: decisions are written as .csv or .jsonl, "
            f"not {out.suffix or 'a file without extension'}",
            param_hint="--out",
        )


def decide_with_progress(
    engine: Engine, batch: ValidatedBatch
) -> list[tuple[Decision, str | None]]:
    """Decide the valid rows of ``batch`` behind a Rich progress bar."""
    decided: list[tuple[Decision, str | None]] = []
    with Progress(
        TextColumn("deciding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("decide", total=len(batch.records))

        def step(decision: Decision, case_id: str | None) -> None:
            decided.append((decision, case_id))
            progress.advance(task)

        engine.decide_records(batch.records, chunk_size=2000, on_decision=step)
    return decided


def print_counts(decisions: list[Decision], title: str) -> None:
    """Counts by outcome and band, as a Rich table."""
    bands = sorted({d.band for d in decisions})
    table = Table(title=title)
    table.add_column("outcome")
    for band in bands:
        table.add_column(f"band {band}", justify="right")
    table.add_column("total", justify="right")
    counts = Counter((d.outcome, d.band) for d in decisions)
    for outcome in ("approve", "refer", "decline"):
        row = [counts[(outcome, b)] for b in bands]
        table.add_row(outcome, *map(str, row), str(sum(row)))
    totals = [
        sum(counts[(o, b)] for o in ("approve", "refer", "decline")) for b in bands
    ]
    table.add_row("total", *map(str, totals), str(len(decisions)), style="bold")
    console.print(table)


def decide(
    applications: Annotated[
        Path, typer.Argument(help="CSV of applications, one per row.")
    ],
    out: Annotated[
        Path, typer.Option(help="Where to write decisions: .csv or .jsonl.")
    ],
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy file; default FINDUO_POLICY, the active one, or shipped.",
        ),
    ] = None,
    model_dir: Annotated[
        Path | None,
        typer.Option("--model", help="Model folder; default the latest champion."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="Use the latest champion trained on this data set."),
    ] = None,
    sep: Annotated[
        str | None,
        typer.Option(help="Field separator; default detected.", callback=sep_option),
    ] = None,
    decimal: Annotated[
        str | None,
        typer.Option(
            help="Decimal mark , or .; default detected.", callback=decimal_option
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="File encoding; default detected.")
    ] = None,
    redecide: Annotated[
        bool,
        typer.Option(
            "--redecide",
            help="Decide application ids the store has decided before; their "
            "still-open cases are closed as superseded.",
        ),
    ] = False,
) -> None:
    """Decide a CSV of applications; invalid rows go to <out>.rejects.csv.

    The --as user must hold the decider role (as for POST /v1/decisions).
    Exit code 0 when the batch ran, even with rejects (their count is
    printed); see the README for the other exit codes.
    """
    check_out_path(out)
    if sep is not None and sep == decimal:
        raise typer.BadParameter(
            f"separator and decimal mark cannot both be {sep!r}",
            param_hint="--sep / --decimal",
        )
    store = open_store()
    user = acting_as(store, actor(), Permission.DECIDE).name
    table = read_applications(applications, sep, decimal, encoding)
    frame = table.frame
    engine = load_engine(policy_file, model_dir, store, user, dataset)
    if model_dir is None and policy_file is None:
        # A challenger an approver started takes its share (or its shadow).
        from finduo.challenger.live import with_live_challenger

        engine = with_live_challenger(engine, store)
    seen = {} if redecide else decided_before(store, frame)
    batch = validate_frame(
        frame, engine.schema, lines=table.lines, decimal=table.decimal, seen=seen
    )
    rejects_file = rejects_path_for(out)
    write_rejects(rejects_file, batch.rejects)
    mark = (
        f"decimal mark {table.decimal!r} ({table.decimal_source})"
        if table.decimal
        else "decimal mark unknown (ambiguous numbers rejected; set --decimal)"
    )
    console.print(f"read {applications} with separator {table.sep!r}, {mark}")
    if batch.ignored_columns:
        console.print(
            f"ignored column(s), not part of an application: "
            f"{', '.join(batch.ignored_columns)}"
        )
    decided = decide_with_progress(engine, batch)
    write_decisions(out, decided)
    superseded: list[str] = []
    if redecide:
        for decision, _ in decided:
            superseded += store.supersede_open_cases(
                decision.application_id, decision.decision_id, user
            )
    console.print(
        f"read {batch.rows_read} row(s): {len(batch.records)} decided, "
        f"{batch.invalid_rows} invalid, {batch.duplicate_rows} duplicate id(s), "
        f"{batch.decided_before} decided before"
    )
    if batch.rejected_rows:
        console.print(
            f"[bold red]{batch.rejected_rows} row(s) REJECTED[/] - not decided; "
            f"see {rejects_file} (row, file line, field, reason, value as typed)"
        )
    else:
        console.print(f"no rejects ({rejects_file} is empty)")
    if superseded:
        console.print(
            f"{len(superseded)} open case(s) of earlier decisions closed as "
            f"superseded: {', '.join(c[:8] for c in superseded)}"
        )
    how = "" if current_user.get() else " (no --as given)"
    console.print(f"acting as {user}{how}")
    console.print(
        f"model {engine.model.version} · policy {engine.loaded.version} · "
        f"decisions in {out}"
    )
    routed = getattr(engine, "challenger", None)
    if routed is not None:
        variants = Counter(d.variant for d, _ in decided)
        console.print(
            f"challenger (model {routed.model.version} · policy "
            f"{routed.loaded.version}) decided {variants['challenger']} of "
            f"{len(decided)}; shadow decisions are stored, never written here"
        )
    print_counts([d for d, _ in decided], "Decisions by outcome and band")
    cases = sum(1 for _, c in decided if c)
    if cases:
        console.print(f"{cases} case(s) opened for review: finduo cases list")


def fields(
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy file; default FINDUO_POLICY, the active one, or shipped.",
        ),
    ] = None,
    model_dir: Annotated[
        Path | None,
        typer.Option("--model", help="Model folder; default the latest champion."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="Use the latest champion trained on this data set."),
    ] = None,
) -> None:
    """The columns an applications CSV needs, with the values each accepts."""
    from finduo.decisions.validation import GERMAN_RANGES, ID_FIELD

    engine = load_engine(policy_file, model_dir, open_store(), actor(), dataset)
    schema = engine.schema
    specs = {f.name: f for f in engine.model.spec.features}
    table = Table(title=f"Fields of an application for {engine.model.version}")
    table.add_column("column", no_wrap=True)
    table.add_column("kind")
    table.add_column("accepted", overflow="fold")
    table.add_row(
        ID_FIELD,
        "text",
        "required; unique in the batch and not decided before (else "
        "--redecide); starts with a plain letter or digit; letters, digits, "
        "._:/-",
    )
    for name in schema.fields:
        if name == ID_FIELD:
            continue
        if name in schema.protected:
            table.add_row(name, "text", "optional; protected: never scored")
            continue
        spec = specs.get(name)
        kind = schema.kinds[name]
        if kind == "numeric":
            limit = GERMAN_RANGES.get(name)
            bounds = (
                f"{limit.gt if limit.gt is not None else limit.ge:g} .. {limit.le:g}"
                if limit is not None and limit.le is not None
                else "any number"
            )
            seen = (
                f"; trained on {spec.min:g} .. {spec.max:g}"
                if spec is not None and spec.min is not None and spec.max is not None
                else ""
            )
            exclusive = (
                " (exclusive lower bound)" if limit and limit.gt is not None else ""
            )
            table.add_row(name, "number", f"{bounds}{exclusive}{seen}")
        else:
            values = " | ".join(spec.categories) if spec is not None else "any text"
            table.add_row(name, "text", values)
    console.print(table)
    console.print(
        "A value outside the training range or never seen in training is "
        "accepted and referred to a person."
    )


def register(app: typer.Typer) -> None:
    app.command("decide")(decide)
    app.command("fields")(fields)
