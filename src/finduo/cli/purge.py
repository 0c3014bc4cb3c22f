"""``finduo purge --before DATE``: erase personal data past retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from finduo.cli._common import actor, console, open_store


def purge(
    before: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="Erase data of decisions before."),
    ],
    force: Annotated[
        bool,
        typer.Option(help="Erase even data still within retention (a legal duty)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Erase application data and case texts; decisions and audit trail stay."""
    from finduo.retention import purge as run

    store = open_store()
    report = run(store, before.replace(tzinfo=UTC), actor(), force=force)
    verify = store.audit_verify()
    if as_json:
        typer.echo(json.dumps({**report.as_dict(), "audit_ok": verify.ok}))
        return
    console.print(
        f"before {before.date()}: {report.applications_erased} applications and "
        f"{report.cases_with_text_erased} case texts erased "
        f"({report.decisions_considered} decisions considered)"
    )
    console.print(f"audit verify: {'[green]ok[/]' if verify.ok else '[red]BROKEN[/]'}")


def register(app: typer.Typer) -> None:
    app.command("purge")(purge)


__all__ = ["register"]
