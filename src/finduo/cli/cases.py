"""``finduo cases list | show ID | resolve ID | codes``: the review queue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from finduo.cli._common import actor, console, open_store, short
from finduo.decisions.model import Terms
from finduo.errors import NotFoundError
from finduo.identity import Permission
from finduo.identity.acting import acting_as
from finduo.store.records import InvalidInput

if TYPE_CHECKING:
    from finduo.store import Case, Store

cases_app = typer.Typer(
    help="The review queue: list, show and resolve referred applications.",
    no_args_is_help=True,
)

MIN_PREFIX = 4


def find_case(store: Store, ref: str) -> Case:
    """A case by its id, or by a unique prefix of at least four characters."""
    try:
        return store.get_case(ref)
    except NotFoundError:
        if len(ref) < MIN_PREFIX:
            raise NotFoundError(
                f"case {ref!r} does not exist; a case may be named by a unique "
                f"prefix of at least {MIN_PREFIX} characters",
                case_id=ref,
            ) from None
    from finduo.store import CaseFilter

    matches = [
        c.id
        for c in store.list_cases(CaseFilter(status=None, limit=100_000))
        if c.id.startswith(ref)
    ]
    if len(matches) != 1:
        found = "no case starts" if not matches else f"{len(matches)} cases start"
        raise NotFoundError(
            f"case {ref!r} does not exist: {found} with it "
            f"(give a unique prefix of at least {MIN_PREFIX} characters)",
            case_id=ref,
        )
    return store.get_case(matches[0])


def _waited(created: datetime) -> str:
    start = created if created.tzinfo else created.replace(tzinfo=UTC)
    minutes = int((datetime.now(UTC) - start).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def cases_table(cases: list[Case], title: str) -> Table:
    """A Rich table of cases (one line each)."""
    table = Table(title=title)
    table.add_column("case", no_wrap=True, min_width=10)
    table.add_column("application / customer", no_wrap=True)
    for column in ("pd", "band", "machine", "waited"):
        table.add_column(column, no_wrap=True)
    table.add_column("referred because", overflow="fold")
    for case in cases:
        d = case.decision
        # An early-warning case has no decision: its pd and proposed action
        # are in its details.
        pd_ = d.pd if d else case.details.get("pd")
        table.add_row(
            case.id[:10],
            d.application_id if d else (case.subject_id or "-"),
            f"{pd_:.3f}" if isinstance(pd_, int | float) else "-",
            d.band if d else "-",
            d.recommendation if d else str(case.details.get("action", "-")),
            _waited(case.created_at),
            short("; ".join(case.referral_reasons), 90),
        )
    return table


@cases_app.command("list")
def list_cases(
    status: Annotated[
        Literal["open", "resolved", "superseded", "any", "all"],
        typer.Option(
            help="Which cases (superseded: closed when the application was "
            "decided again with --redecide; any, or all, for every status), "
            "as the API's GET /v1/cases?status= takes them."
        ),
    ] = "open",
    reason: Annotated[
        str | None, typer.Option(help="Only cases with this referral reason.")
    ] = None,
    band: Annotated[str | None, typer.Option(help="Only this risk band.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
) -> None:
    """List cases, highest priority (amount at risk x uncertainty) first."""
    from finduo.store import CaseFilter

    store = open_store()
    cases = store.list_cases(
        CaseFilter(
            status=None if status == "any" or status == "all" else status,
            referral_reason=reason,
            band=band,
            limit=limit + 1,
        )
    )
    more = len(cases) > limit
    cases = cases[:limit]
    every = status in ("any", "all")
    kind = "" if every else f"{status} "
    title = (
        f"first {len(cases)} {kind}cases; more exist (raise --limit)"
        if more
        else f"{len(cases)} {kind}case(s)"
    ) + (" of any status" if every else "")
    console.print(cases_table(cases, title))
    if cases:
        console.print("Show one with: finduo cases show CASE (a unique prefix will do)")


@cases_app.command("show")
def show(case_ref: Annotated[str, typer.Argument(help="Case id or prefix.")]) -> None:
    """Everything a reviewer needs on one case: data, pd, reasons, rules."""
    store = open_store()
    case = find_case(store, case_ref)
    d = case.decision
    console.print(f"[bold]case {case.id}[/] ({case.kind}, {case.status})")
    if case.kind == "early_warning":  # a customer of the portfolio scan
        from finduo.cli._early_warning import show_early_warning

        show_early_warning(case)
        return
    console.print(f"referred because: {', '.join(case.referral_reasons) or '-'}")
    if d is not None:
        console.print(
            f"application [cyan]{d.application_id}[/]: pd {d.pd:.3f}, band {d.band}, "
            f"outcome {d.outcome}, the machine recommends [bold]{d.recommendation}[/]"
        )
        console.print(
            f"model {d.model_version} · policy {d.policy_version} · "
            f"rules fired: {', '.join(d.rules_fired) or 'none'}"
        )
        reasons = Table(title="Reasons (raised the risk most)")
        for column in ("code", "reason", "value", "contribution"):
            reasons.add_column(column)
        for r in d.reasons:
            reasons.add_row(
                r.code, r.text.get("en", r.code), r.value, f"{r.contribution:+.3f}"
            )
        console.print(reasons)
    if case.application:
        data = Table(title="Application as given")
        data.add_column("field")
        data.add_column("value")
        for key, value in case.application.items():
            data.add_row(key, "" if value is None else str(value))
        console.print(data)
    if case.resolution is not None:
        res = case.resolution
        console.print(
            f"resolved: {res.outcome} by {res.reviewer} ({res.reason_code})"
            + (" — an override" if res.is_override else "")
        )
        if res.comment:
            console.print(f"comment: {res.comment}")
        if res.terms is not None:
            console.print(f"terms: {describe_terms(res.terms)}")


# Where a refused value came from: the option that gave it.
_OPTION_OF_FIELD = {
    "comment": "--comment",
    "reason_code": "--reason-code",
    "outcome": "--outcome",
    "terms": "--payment-method / --credit-limit / --deposit / --max-term",
}


@cases_app.command("resolve")
def resolve(
    case_ref: Annotated[str, typer.Argument(help="Case id or prefix.")],
    outcome: Annotated[
        Literal["approve", "decline"], typer.Option(help="Your decision.")
    ],
    reason_code: Annotated[
        str, typer.Option(help="Reason code from `finduo cases codes`.")
    ],
    reviewer: Annotated[
        str | None,
        typer.Option(help="Who resolves (a reviewer); default the --as user."),
    ] = None,
    comment: Annotated[
        str | None, typer.Option(help="Free text; required with reason code OTHER.")
    ] = None,
    payment_method: Annotated[
        list[str] | None,
        typer.Option(help="Approve: an allowed payment method (repeatable)."),
    ] = None,
    credit_limit: Annotated[
        float | None, typer.Option(min=0, help="Approve: the credit limit.")
    ] = None,
    deposit: Annotated[
        float | None, typer.Option(min=0, help="Approve: deposit required.")
    ] = None,
    max_term: Annotated[
        int | None, typer.Option(min=1, help="Approve: longest term, months.")
    ] = None,
) -> None:
    """Resolve an open case; an outcome other than the machine's is an override.

    The reviewer (--reviewer, else the --as user) must be a user with the
    reviewer role. An approval carries terms: those given by the options, the
    rest from the decision's band; refused when the band grants no credit and
    no --credit-limit and --payment-method are given. A value the resolution
    cannot take is a usage error (exit code 2).
    """
    from finduo.review import ReviewService

    given = {
        "payment_methods": payment_method or None,
        "credit_limit": credit_limit,
        "deposit": deposit,
        "max_term_months": max_term,
    }
    store = open_store()
    who = acting_as(store, reviewer or actor(), Permission.RESOLVE_CASES)
    case = find_case(store, case_ref)
    try:
        resolution = ReviewService(store).resolve(
            case.id,
            outcome=outcome,
            reason_code=reason_code,
            reviewer=who.name,
            comment=comment,
            terms=given,
        )
    except InvalidInput as exc:
        field = str(exc.context.get("field", ""))
        raise typer.BadParameter(
            exc.message, param_hint=_OPTION_OF_FIELD.get(field, field or None)
        ) from exc
    if case.kind == "early_warning":  # no machine outcome to agree with
        from finduo.cli._early_warning import resolved_line

        console.print(resolved_line(case, resolution))
        return
    recommended = case.decision.recommendation if case.decision else "-"
    verdict = (
        "[yellow]override[/] of the machine's recommendation"
        if resolution.is_override
        else "agrees with the machine's recommendation"
    )
    console.print(
        f"case {case.id} resolved: {resolution.outcome} by {resolution.reviewer} "
        f"({resolution.reason_code}); machine recommended {recommended}: {verdict}"
    )
    if resolution.terms is not None:
        console.print(f"terms: {describe_terms(resolution.terms)}")


def describe_terms(terms: Terms) -> str:
    """Terms in one line."""
    return (
        f"{', '.join(terms.payment_methods)}; credit limit {terms.credit_limit:g}; "
        f"deposit {terms.deposit:g}; up to {terms.max_term_months} months"
    )


@cases_app.command("codes")
def codes() -> None:
    """The reason codes a resolution may name."""
    store = open_store()
    table = Table(title="Resolution reason codes")
    for column in ("code", "for", "meaning"):
        table.add_column(column)
    for code in store.list_reason_codes():
        table.add_row(code.code, code.applies_to, code.label_en)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
