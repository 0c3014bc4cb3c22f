"""``finduo monitor``: stability, performance, overrides and fairness."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from finduo.cli._common import console, open_store

DateOpt = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date YYYY-MM-DD.")
]


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "-" if v != v else f"{v:.4g}"
    return "-" if v is None else str(v)


def _table(
    title: str, rows: list[dict[str, Any]], cols: list[str] | None = None
) -> Table:
    table = Table(title=title)
    cols = cols or (list(rows[0]) if rows else [])
    for c in cols:
        table.add_column(c.replace("_", " "))
    for r in rows:
        table.add_row(*[_fmt(r.get(c)) for c in cols])
    return table


def monitor(
    model: Annotated[
        str | None, typer.Option(help="Model version; default the active model.")
    ] = None,
    since: DateOpt = None,
    until: DateOpt = None,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Maturity date (today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option(help="Also write an HTML page with the plots.")
    ] = None,
) -> None:
    """Monitoring report of the stored decisions against the model's training data."""
    from finduo.monitoring.service import current_report

    report, version = current_report(
        open_store(),
        model=model,
        since=since.replace(tzinfo=UTC) if since else None,
        until=until.replace(tzinfo=UTC) if until else None,
        as_of=as_of.replace(tzinfo=UTC) if as_of else None,
    )
    data = report.as_dict()
    data["model_version"] = version
    if html is not None:
        from finduo.reporting.html import monitoring_page

        html.write_text(monitoring_page(report, version), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(data, default=str))
        return
    console.print(
        f"[bold]Monitoring[/] model {version} · {data['n_decisions']:,} "
        f"decisions · {data['n_matured']:,} with matured outcomes · as of "
        f"{data['as_of'][:10]}"
    )
    if data["score_psi"]:
        s = data["score_psi"]
        value = f"{s['psi']:.3f}: " if s["psi"] is not None else ""
        console.print(f"score PSI {value}{s['status']}")
    console.print(
        _table(
            "PSI by characteristic (0.10 watch, 0.25 shift; under "
            f"{data['minimums']['psi_recent_rows']} recent decisions: too few)",
            data["characteristic_psi"][:12],
            ["characteristic", "psi", "status", "n_reference", "n_recent"],
        )
    )
    console.print(_table("Performance on matured outcomes", [data["performance"]]))
    console.print(_table("Bad rate by band against predicted pd", data["bands"]))
    if data["by_variant"]:
        console.print(_table("Champion / challenger / shadow", data["by_variant"]))
    ov = data["overrides"]
    if "low_side" in ov:
        rows = [
            {"kind": k, **ov[k]}
            for k in ("low_side", "high_side", "agreed_approve", "agreed_decline")
        ]
        console.print(_table(f"Overrides ({ov['n_resolved']} resolved cases)", rows))
        console.print(f"[yellow]{ov['caveat']}[/]")
    if data["reviewer_agreement"]:
        console.print(_table("Reviewer agreement", data["reviewer_agreement"]))
    if data["blind_vs_shown"]:
        console.print(_table("Blind first judgement vs shown", data["blind_vs_shown"]))
    if data["fairness"]:
        console.print(
            _table(
                "Fairness (flag: approval ratio < 0.8; groups under "
                f"{data['minimums']['fairness_group_size']} decisions: too few)",
                data["fairness"],
                [
                    "grouping",
                    "group",
                    "n",
                    "approval_rate",
                    "approval_ratio",
                    "flag",
                    "reading",
                    "n_matured",
                    "bad_approved_rate",
                ],
            )
        )
    for note in data["notes"]:
        console.print(f"note: {note}")
    if html is not None:
        console.print(f"HTML written to {html}")


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor)


__all__ = ["register"]
