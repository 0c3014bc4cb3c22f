"""``finduo outcomes import FILE.csv``: record what happened after decisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from finduo.cli._common import actor, console, open_store

outcomes_app = typer.Typer(
    help="Outcomes (paid, defaulted, fraud, churned) joined to decisions.",
    no_args_is_help=True,
)


@outcomes_app.command("import")
def import_file(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with decision_id (or application_id), kind, observed_at, "
            "days_past_due (optional); ';' or ',' detected."
        ),
    ],
    report: Annotated[
        Path | None,
        typer.Option(help="Write every row that was not inserted, with why, as CSV."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import outcomes; unmatched, duplicate and invalid rows are listed."""
    from finduo.outcomes import import_csv

    result = import_csv(open_store(), file, actor())
    data = result.as_dict()
    if report is not None:
        import pandas as pd

        rows = (
            [{"status": "invalid", **e} for e in data["invalid"]]
            + [{"status": "unmatched", **o} for o in data["unmatched"]]
            + [{"status": "duplicate", **o} for o in data["duplicates"]]
        )
        frame = pd.DataFrame(rows)
        for column in ("row", "days_past_due"):
            if column in frame:
                # rows of other statuses leave gaps: keep whole numbers whole
                frame[column] = frame[column].astype("Int64")
        frame.to_csv(report, index=False)
    if as_json:
        typer.echo(json.dumps(data))
        return
    console.print(
        f"{data['rows']} rows: [green]{data['inserted']} inserted[/], "
        f"{len(data['invalid'])} invalid, {len(data['unmatched'])} unmatched, "
        f"{len(data['duplicates'])} duplicates"
    )
    if data["invalid"]:
        table = Table(title="Invalid rows")
        for col in ("row", "field", "reason", "value"):
            table.add_column(col)
        for e in data["invalid"]:
            table.add_row(str(e["row"]), e["field"], e["reason"], repr(e["value"]))
        console.print(table)
    for label, title in (("unmatched", "Unmatched"), ("duplicates", "Duplicate")):
        if data[label]:
            table = Table(title=f"{title} rows")
            for col in ("source row", "decision", "kind", "observed at"):
                table.add_column(col)
            for o in data[label]:
                table.add_row(
                    o["source_row"], o["decision_id"], o["kind"], o["observed_at"][:10]
                )
            console.print(table)
    if report is not None:
        console.print(f"rows not inserted written to {report}")


def register(app: typer.Typer) -> None:
    app.add_typer(outcomes_app, name="outcomes")


__all__ = ["register"]
