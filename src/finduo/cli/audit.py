"""``finduo audit verify | anchor``: check the tamper-evident audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from finduo.cli._common import console, open_store
from finduo.errors import AuditError

audit_app = typer.Typer(
    help="The audit trail: verify the hash chain, export its head (anchor).",
    no_args_is_help=True,
)


@audit_app.command("verify")
def verify(
    anchor: Annotated[
        Path | None,
        typer.Option(
            help="Anchor file from `finduo audit anchor`; default the latest "
            "exported one, if any."
        ),
    ] = None,
) -> None:
    """Verify every link of the chain; report the first broken one (exit 11)."""
    store = open_store()
    report = store.audit_verify(anchor)
    if not report.ok:
        raise AuditError(report.summary(), broken_seq=report.broken_seq)
    console.print(f"[green]ok[/]: {report.summary()}")
    if not report.anchor_checked:
        console.print(
            "no anchor checked: a removed tail shows only against an anchor "
            "(finduo audit anchor)"
        )


@audit_app.command("anchor")
def anchor(
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write it; default <state>/audit/anchor-*.json."),
    ] = None,
) -> None:
    """Export the chain's head (seq and hash); keep it outside the database."""
    store = open_store()
    head, path = store.audit_anchor(out)
    console.print(f"anchor: seq {head.seq}, hash {head.hash[:16]}… written to {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
