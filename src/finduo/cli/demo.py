"""``finduo demo``: the onboarding job end to end on German credit, in minutes.

A fresh store under ``$FINDUO_STATE_DIR/demo``; both models trained on a
stratified, seeded 80 % of the data; the other 20 % decided through the same
engine as ``finduo decide``, recorded with cases and audit events; then a
summary against the held-out truth.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from finduo.cli._common import active_policy, console, open_store
from finduo.cli.cases import cases_table
from finduo.cli.decide import decide_with_progress, print_counts, write_decisions
from finduo.decisions.summary import HeldOutSummary, summarise_held_out
from finduo.policy.loader import LoadedPolicy
from finduo.settings import get_settings

if TYPE_CHECKING:
    from finduo.store import Case, Store

logger = logging.getLogger(__name__)

TARGET = "bad"
# Users of the demo store (see create_demo_users).
DEMO_ADMIN = "admin"
DEMO_DECIDER = "demo"
DEMO_REVIEWER = "rita"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def print_summary(summary: HeldOutSummary) -> None:
    """Bad rates by outcome and expected costs, as Rich tables."""
    rates = Table(title=f"True bad rate on the {summary.n} held-out applications")
    for column in ("outcome", "applications", "truly bad", "bad rate"):
        rates.add_column(column, justify="right")
    for outcome, group in summary.by_outcome.items():
        rates.add_row(outcome, str(group.count), str(group.bad), _rate(group.bad_rate))
    console.print(rates)
    costs = Table(
        title=(
            "Expected cost per application (bad accepted "
            f"{summary.cost_bad_accepted:g}, good declined "
            f"{summary.cost_good_declined:g})"
        )
    )
    costs.add_column("choice")
    costs.add_column("cost", justify="right")
    costs.add_row(
        "machine's recommendation (approve/decline)", f"{summary.cost_machine:.3f}"
    )
    costs.add_row("approve everyone", f"{summary.cost_approve_all:.3f}")
    costs.add_row("decline everyone", f"{summary.cost_decline_all:.3f}")
    console.print(costs)


def policy_in_force() -> LoadedPolicy:
    """FINDUO_POLICY, else the policy activated in the user's store, else shipped.

    The user's store is only read where one exists; the demo never creates it.
    """
    settings = get_settings()
    if settings.policy is None and (
        settings.database_url or (settings.state_dir / "finduo.db").is_file()
    ):
        main = open_store()
        try:
            return active_policy(store=main)
        finally:
            main.close()
    return active_policy()


def demo(
    seed: Annotated[int, typer.Option(help="Seed of the split and the models.")] = 0,
    test_size: Annotated[
        float, typer.Option(min=0.05, max=0.5, help="Share held out for deciding.")
    ] = 0.2,
    cases_shown: Annotated[
        int, typer.Option(min=0, help="How many open cases to show.")
    ] = 8,
) -> None:
    """Train on 80 % of German credit, decide the other 20 %, summarise."""
    from sklearn.model_selection import train_test_split

    from finduo.datasets.german import ID_COLUMN, load_german
    from finduo.decisions.engine import Engine
    from finduo.models import save_model, train_models

    started = time.perf_counter()
    folder = get_settings().state_dir / "demo"
    kept = keep_previous(folder)
    folder.mkdir(parents=True)
    console.print(f"[bold]finduo demo[/] — fresh state in {folder}")
    if kept is not None:
        console.print(
            f"the previous demo (its decisions and resolutions) was moved to {kept}"
        )

    data = load_german()
    train, held_out = train_test_split(
        data, test_size=test_size, stratify=data[TARGET], random_state=seed
    )
    console.print(
        f"German credit: {len(data)} applications; training on {len(train)} "
        f"(bad rate {train[TARGET].mean():.1%}), deciding {len(held_out)} held out"
    )

    loaded = policy_in_force()
    with console.status("training LightGBM and the scorecard ..."):
        models = train_models(
            train.reset_index(drop=True),
            target=TARGET,
            dataset="german-credit",
            protected=loaded.policy.protected,
            seed=seed,
            id_columns=[ID_COLUMN],
        )
        for model in models.values():
            save_model(model, folder / "models")
    champion = models[loaded.policy.champion]
    console.print(
        f"champion {champion.version} (policy {loaded.version}); "
        f"challenger kept: {', '.join(k for k in models if k != champion.kind)}"
    )

    store = open_store(state_dir=folder)
    create_demo_users(store)
    engine = Engine(champion, loaded, store, actor=DEMO_DECIDER)
    from finduo.decisions.batch import validate_frame

    batch = validate_frame(held_out.drop(columns=[TARGET]), engine.schema)
    decided = decide_with_progress(engine, batch)
    out = write_decisions(folder / "decisions.csv", decided)
    decisions = [d for d, _ in decided]
    console.print(
        f"decided {len(decisions)} of {batch.rows_read} held-out applications "
        f"({batch.rejected_rows} rejected); decisions in {out}"
    )

    print_counts(decisions, "Decisions by outcome and band")
    truth = dict(zip(held_out[ID_COLUMN], held_out[TARGET].astype(int), strict=True))
    print_summary(summarise_held_out(decisions, truth))

    from finduo.store import CaseFilter

    open_cases = store.list_cases(CaseFilter(status="open", limit=cases_shown))
    console.print(cases_table(open_cases, f"First {len(open_cases)} open cases"))
    report = store.audit_verify()
    console.print(f"audit: {report.summary()}")
    console.print(
        f"done in {time.perf_counter() - started:.1f} s. The demo's state is in "
        f"{folder}; to work with it (in any shell):"
    )
    command = shlex.quote(finduo_command())
    console.print(
        f"  export FINDUO_STATE_DIR={shlex.quote(str(folder))}\n"
        f"  {command} cases list\n"
        f"  {command} --as {DEMO_REVIEWER} cases resolve "
        f"{example_resolution(store, open_cases)}",
        soft_wrap=True,
        highlight=False,
    )
    console.print(
        f"users of the demo store: {DEMO_ADMIN} (admin), {DEMO_DECIDER} "
        f"(decider: decided the applications), {DEMO_REVIEWER} (reviewer)"
    )


def example_resolution(store: Store, cases: list[Case]) -> str:
    """Arguments of ``cases resolve`` for the first case its band's terms fit."""
    from finduo.review.terms import band_terms

    for case in cases:
        terms = band_terms(store, store.get_case(case.id))
        if terms is not None and terms.credit_limit > 0:
            return f"{case.id[:8]} --outcome approve --reason-code INCOME_VERIFIED"
    first = cases[0].id[:8] if cases else "CASE"
    return f"{first} --outcome decline --reason-code DOCUMENTS_MISSING"


def create_demo_users(store: Store) -> None:
    """The demo store's users: an admin, the decider and a reviewer.

    The store is fresh, so the admin is its first user; none has a password
    (the console needs one: ``finduo --as admin users create ...
    --password-stdin``).
    """
    for name, role in (
        (DEMO_ADMIN, "admin"),
        (DEMO_DECIDER, "decider"),
        (DEMO_REVIEWER, "reviewer"),
    ):
        store.create_user(name, [role], DEMO_ADMIN)


def keep_previous(folder: Path) -> Path | None:
    """Move an earlier demo folder aside to ``demo-previous-<UTC time>``.

    Nothing is deleted: an earlier demo may hold resolutions someone made.
    Returns where it went, or None when there was none (or it was empty).
    """
    if not folder.exists():
        return None
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder.with_name(f"{folder.name}-previous-{stamp}")
    folder.rename(target)
    logger.info("moved the previous demo folder to %s", target)
    return target


def finduo_command() -> str:
    """The ``finduo`` a fresh shell can run: the one next to this Python."""
    beside = Path(sys.executable).parent / "finduo"
    if beside.is_file():
        return str(beside)
    return shutil.which("finduo") or "finduo"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
