"""Lifecycle commands: ``finduo policy propose|versions|simulate|approve|activate|
retire|diff`` (added to the ``policy`` group of :mod:`finduo.cli.policy`) and
``finduo model register|approve|promote|retire|list``.

Every command acts as the user named by ``--as`` / ``FINDUO_USER``, who must be
a user of the store with the right role (analyst proposes, approver approves).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from finduo.cli._common import active_policy, actor, console, open_store
from finduo.lifecycle.standing import display_name

model_app = typer.Typer(
    help="Model versions: register a candidate, approve (a second user), promote.",
    no_args_is_help=True,
)

RefArg = Annotated[
    str, typer.Argument(help="Policy version: 6+ hex of its hash, or its label.")
]
DateOpt = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date YYYY-MM-DD.")
]


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def _state_line(v: Any) -> str:
    return (
        f"[bold]{display_name(v)}[/] is [cyan]{v.state}[/]"
        f" · proposed by {v.proposed_by or '-'} · approved by {v.approved_by or '-'}"
    )


def _in_force(store: Any) -> tuple[str, str]:
    """Label of the policy `finduo decide` would use, and why it is that one."""
    from finduo.settings import get_settings

    loaded = active_policy(None, store)
    if get_settings().policy is not None:
        why = "FINDUO_POLICY"
    elif store.active_policy_version(loaded.policy.name) is not None:
        why = "activated"
    else:
        why = "shipped default, nothing activated"
    return loaded.version, why


def propose(
    file: Annotated[Path, typer.Argument(help="Policy YAML file to propose.")],
) -> None:
    """Propose a policy file as a new version (analyst)."""
    from finduo import lifecycle

    store = open_store()
    version = lifecycle.propose(store, actor(), file)
    console.print(_state_line(version))
    console.print(
        f"next: finduo policy simulate {version.content_hash[:12]}, then an "
        "approver other than you: finduo --as NAME policy approve "
        f"{version.content_hash[:12]}"
    )


def versions(
    name: Annotated[str | None, typer.Option(help="Only this policy name.")] = None,
) -> None:
    """List stored policy versions: label (text hash), status, when, who."""
    from finduo.lifecycle.standing import standing

    store = open_store()
    label, why = _in_force(store)
    table = Table(title="Policy versions")
    table.add_column("version\n(text hash)", no_wrap=True)
    table.add_column("status", min_width=16)
    table.add_column("created", no_wrap=True)
    table.add_column("proposed /\napproved by")
    for v in store.list_policy_versions(name=name):
        table.add_row(
            f"{v.version_label}\n({v.content_hash[:12]})",
            standing(v, label).text,
            v.created_at.strftime("%Y-%m-%d"),
            f"{v.proposed_by or '-'} /\n{v.approved_by or '-'}",
        )
    console.print(table)
    console.print(
        f"in force for finduo decide: [bold]{label}[/] ({why}). A version is "
        "named by its label (hash of its content, what decisions name) and the "
        "hash of its text; commands take either."
    )


def _pct(x: float | None) -> str:
    return "-" if x is None or x != x else f"{x:.1%}"


def simulate(
    ref: RefArg,
    since: DateOpt = None,
    until: DateOpt = None,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Maturity date (today)."),
    ] = None,
    lgd: Annotated[
        float, typer.Option(min=0, max=1, help="Loss given default, share of limit.")
    ] = 1.0,
    model: Annotated[
        str | None,
        typer.Option(help="Re-score the stored applications with this model first."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What-if: replay a version over the stored decisions against the active one."""
    from finduo import lifecycle

    store = open_store()
    scorer = None
    if model is not None:
        from finduo.models import load_model
        from finduo.monitoring.reference import model_folder

        scorer = load_model(model_folder(store, model))
    result = lifecycle.simulate(
        store,
        actor(),
        ref,
        since=_utc(since),
        until=_utc(until),
        as_of=_utc(as_of),
        lgd=lgd,
        model=scorer,
    )
    if as_json:
        typer.echo(json.dumps(result.as_dict(), default=str))
        return
    sim = result.simulation
    rescored = f", re-scored by {model}" if model else " with their stored pd"
    replayed = display_name(lifecycle.resolve(store, ref))
    console.print(
        f"replayed [bold]{replayed}[/]{rescored} over {sim.n:,} stored decisions "
        f"({result.n_matured:,} with matured outcomes; {result.n_erased:,} erased "
        f"left out) in {result.seconds_read + result.seconds_replay:.2f} s"
    )
    rates = Table(title="Outcome rates")
    for col in ("policy", "approve", "refer", "decline"):
        rates.add_column(col, justify="right")
    for key, r in sim.rates.items():
        label = "this version" if key == "proposed" else "in force"
        rates.add_row(label, _pct(r["approve"]), _pct(r["refer"]), _pct(r["decline"]))
    console.print(rates)
    bands = Table(title=f"By band (proposed), expected loss at LGD {sim.lgd:g}")
    cols = [
        "band",
        "n",
        "approve",
        "refer",
        "decline",
        "expected_bad_rate",
        "n_observed",
        "observed_bad_rate",
        "exposure",
        "expected_loss",
    ]
    short = {
        "expected_bad_rate": "exp bad",
        "n_observed": "n obs",
        "observed_bad_rate": "obs bad",
        "expected_loss": "exp loss",
        "approve": "appr",
        "decline": "decl",
        "exposure": "exposure",
    }
    for col in cols:
        bands.add_column(short.get(col, col), justify="right")
    for row in sim.bands.to_dict(orient="records"):
        bands.add_row(
            *[
                _pct(row[c])
                if c.endswith("rate")
                else f"{row[c]:,.0f}"
                if isinstance(row[c], float)
                else str(row[c])
                for c in cols
            ]
        )
    console.print(bands)
    for swap in (sim.swap_in, sim.swap_out):
        if swap is None:
            continue
        console.print(
            f"[bold]{swap.kind}[/]: {swap.n:,} decisions; expected bad rate "
            f"{_pct(swap.expected_bad_rate)}; observed {_pct(swap.observed_bad_rate)}"
            f" on {swap.n_observed:,} with outcomes"
        )
        if swap.note:
            console.print(f"  [yellow]{swap.note}[/]")
    if sim.active is None:
        console.print("no active policy in the store: no swap sets.")


def approve(
    ref: RefArg,
) -> None:
    """Approve a proposed version (approver; never the proposer)."""
    from finduo import lifecycle

    console.print(_state_line(lifecycle.approve(open_store(), actor(), ref)))


def activate(ref: RefArg) -> None:
    """Put an approved version in force; the active one of that name retires."""
    from finduo import lifecycle

    console.print(_state_line(lifecycle.activate(open_store(), actor(), ref)))


def retire(ref: RefArg) -> None:
    """Retire a version."""
    from finduo import lifecycle

    console.print(_state_line(lifecycle.retire(open_store(), actor(), ref)))


def _text_of(store: Any, ref: str) -> tuple[str, str]:
    path = Path(ref)
    if path.is_file():
        return path.read_text(encoding="utf-8"), str(path)
    from finduo import lifecycle

    v = lifecycle.resolve(store, ref)
    return v.yaml_text, f"{display_name(v)} {v.state}"


def diff(
    old: Annotated[str, typer.Argument(help="Version ref or policy file.")],
    new: Annotated[
        str | None, typer.Argument(help="Version ref or file; default: the active.")
    ] = None,
) -> None:
    """Differences between two policy versions: changed values, then the text."""
    from finduo import lifecycle

    store = open_store()
    a_text, a_name = _text_of(store, old)
    if new is None:
        active = store.active_policy_version()
        if active is None:
            raise typer.BadParameter("no active policy: name the second version")
        b_text, b_name = active.yaml_text, f"{display_name(active)} active"
    else:
        b_text, b_name = _text_of(store, new)
    changes = lifecycle.value_changes(a_text, b_text)
    table = Table(title=f"{a_name} -> {b_name}: {len(changes)} values changed")
    for col in ("field", "old", "new"):
        table.add_column(col)
    for c in changes:
        table.add_row(c.path, json.dumps(c.old), json.dumps(c.new))
    console.print(table)
    text = lifecycle.text_diff(a_text, b_text, a_name, b_name)
    if text:
        console.print(text, markup=False, highlight=False)


@model_app.command("register")
def model_register(
    folder: Annotated[Path, typer.Argument(help="Saved model folder (meta.json).")],
) -> None:
    """Register a trained model as a candidate (analyst)."""
    from finduo import lifecycle

    m = lifecycle.register_candidate(open_store(), actor(), folder)
    console.print(f"{m.version}: {m.state}, registered by {m.created_by}")


@model_app.command("approve")
def model_approve(
    version: Annotated[str, typer.Argument(help="Model version.")],
) -> None:
    """Approve a candidate (approver; not who registered it)."""
    from finduo import lifecycle

    m = lifecycle.approve_model(open_store(), actor(), version)
    console.print(f"{m.version}: {m.state} by {m.approved_by}")


@model_app.command("promote")
def model_promote(
    version: Annotated[str, typer.Argument(help="Model version.")],
) -> None:
    """Make an approved model active (the active one of its kind retires)."""
    from finduo import lifecycle

    m = lifecycle.promote_model(open_store(), actor(), version)
    console.print(f"{m.version}: {m.state}")


@model_app.command("retire")
def model_retire(
    version: Annotated[str, typer.Argument(help="Model version.")],
) -> None:
    """Retire a model version."""
    from finduo import lifecycle

    m = lifecycle.retire_model(open_store(), actor(), version)
    console.print(f"{m.version}: {m.state}")


@model_app.command("list")
def model_list() -> None:
    """Registered model versions with their states and CV metrics."""
    store = open_store()
    table = Table(title="Model versions")
    for col in ("version", "state", "registered by", "approved by", "auc", "cost"):
        table.add_column(col)
    for m in store.list_model_versions():
        metrics = m.meta.get("metrics", {})
        table.add_row(
            m.version,
            m.state,
            m.created_by,
            m.approved_by or "-",
            f"{metrics['auc']:.4f}" if "auc" in metrics else "-",
            f"{metrics['expected_cost']:.4f}" if "expected_cost" in metrics else "-",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    # The lifecycle steps join the `policy` group of finduo.cli.policy, which
    # must be registered first (see _COMMAND_MODULES).
    from finduo.cli.policy import policy_app

    policy_app.command("propose")(propose)
    policy_app.command("versions")(versions)
    policy_app.command("list", help="Same as `finduo policy versions`.")(versions)
    policy_app.command("simulate")(simulate)
    policy_app.command("approve")(approve)
    policy_app.command("activate")(activate)
    policy_app.command("retire")(retire)
    policy_app.command("diff")(diff)
    app.add_typer(model_app, name="model")


__all__ = ["register"]
