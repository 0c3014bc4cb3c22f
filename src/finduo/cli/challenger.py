"""``finduo challenger``: put a challenger on live traffic, stop it, compare it.

``start`` (approver) stores the challenger setting that ``finduo decide`` and
the API read; ``status`` shows it; ``stop`` ends it; ``report`` compares the
champion, challenger and shadow decisions once outcomes have matured.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from finduo.cli._common import actor, console, open_store

challenger_app = typer.Typer(
    help="Champion / challenger on live traffic: start, status, stop, report.",
    no_args_is_help=True,
)


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:.1%}" if pct else f"{value:.3f}"
    return str(value)


@challenger_app.command("start")
def start(
    mode: Annotated[
        str,
        typer.Option(help="split: the challenger decides its share; shadow: never."),
    ] = "shadow",
    share: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Share of applications (0..1)."),
    ] = 0.1,
    salt: Annotated[
        str, typer.Option(help="Names the experiment; same salt, same split.")
    ] = "challenger-1",
    policy: Annotated[
        str | None,
        typer.Option(help="Policy version (hash prefix or label) of the challenger."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model version of the challenger.")
    ] = None,
) -> None:
    """Start a challenger (approver); split needs approved versions."""
    from finduo.challenger.live import start_challenger
    from finduo.errors import ConfigError

    if mode not in ("split", "shadow"):
        raise ConfigError(f"--mode must be split or shadow; got {mode!r}.")
    chosen: Literal["split", "shadow"] = "split" if mode == "split" else "shadow"
    live = start_challenger(
        open_store(),
        actor(),
        mode=chosen,
        share=share,
        salt=salt,
        policy_ref=policy,
        model_version=model,
    )
    console.print(
        f"challenger started by {live.started_by}: {live.mode} on "
        f"{live.share:.0%} of applications (salt {live.salt}); policy "
        f"{(live.policy or 'champion')[:12]}, model {live.model or 'champion'}. "
        "finduo decide uses it at once; restart `finduo serve` for the API."
    )


@challenger_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The challenger in force, if any."""
    from finduo.challenger.live import current_challenger

    live = current_challenger(open_store())
    if as_json:
        data = live.model_dump(mode="json") if live else None
        console.print_json(json.dumps(data))
        return
    if live is None:
        console.print("no challenger: every application is decided by the champion")
        return
    console.print(
        f"{live.mode} on {live.share:.0%} (salt {live.salt}); policy "
        f"{live.policy or 'champion'}; model {live.model or 'champion'}; started "
        f"by {live.started_by} at {live.started_at:%Y-%m-%d %H:%M} UTC"
    )


@challenger_app.command("stop")
def stop() -> None:
    """Take the challenger off live traffic (approver or admin)."""
    from finduo.challenger.live import stop_challenger

    stop_challenger(open_store(), actor())
    console.print("challenger stopped: the champion decides every application")


@challenger_app.command("report")
def report(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Maturity date (today)."),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Decisions from this date; default the running challenger's start.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Champion against challenger (and shadow) on matured outcomes."""
    from finduo.challenger.live import current_challenger
    from finduo.monitoring.report import report_from_store

    store = open_store()
    live = current_challenger(store)
    start = since.replace(tzinfo=UTC) if since else (live.started_at if live else None)
    result = report_from_store(
        store, since=start, as_of=as_of.replace(tzinfo=UTC) if as_of else None
    )
    rows = result.as_dict()["by_variant"]
    versions = _versions(store)
    for row in rows:
        row.update(versions.get(row["variant"], {}))
    if as_json:
        console.print_json(json.dumps({"by_variant": rows}, default=str))
        return
    table = Table(title="Champion / challenger on matured outcomes")
    for column in (
        "variant",
        "decisions",
        "approval rate",
        "matured",
        "bad rate",
        "AUC",
        "models",
        "policies",
    ):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for row in rows:
        table.add_row(
            str(row["variant"]),
            str(row["n"]),
            _fmt(row["approval_rate"], pct=True),
            str(row["n_matured"]),
            _fmt(row["bad_rate"], pct=True),
            _fmt(row["auc"]),
            ", ".join(row.get("models", [])),
            ", ".join(row.get("policies", [])),
        )
    console.print(table)
    console.print(
        "A shadow decision was never acted on: it borrows the outcome of the "
        "decision acted on for the same application, so its bad rate is that of "
        "the applicants the champion approved. Compare variants only once "
        "enough decisions have matured (the column 'matured')."
    )


def _versions(store: Any) -> dict[str, dict[str, list[str]]]:
    """Model and policy versions seen per variant."""
    from finduo.store.analytics import decision_frame

    frame = decision_frame(store, fields=[])
    out: dict[str, dict[str, list[str]]] = {}
    for variant, group in frame.groupby("variant"):
        out[str(variant)] = {
            "models": sorted(group["model_version"].astype(str).unique()),
            "policies": sorted(group["policy_version"].astype(str).unique()),
        }
    return out


def register(app: typer.Typer) -> None:
    app.add_typer(challenger_app, name="challenger")


__all__ = ["register"]
