"""Policy versions in the console: list, diff, propose, simulate, approve, activate.

The steps are those of :mod:`finduo.lifecycle.policies` — the same role
checks, the same four-eyes rule in the store, the same audit events — so the
console and ``finduo policy ...`` can never disagree. An analyst proposes; an
approver who did not propose a version approves it once its what-if
simulation is recorded; an approver activates it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from finduo.console.pages import N_, Page, page
from finduo.errors import FinduoError, PermissionDenied
from finduo.lifecycle import policies as lifecycle
from finduo.lifecycle.diff import text_diff, value_changes
from finduo.lifecycle.standing import display_name, standing
from finduo.policy.loader import shipped_policy
from finduo.store.records import PolicyVersion

router = APIRouter()
PageDep = Annotated[Page, Depends(page)]
MAX_POLICY_CHARS = 200_000

# The statuses of finduo.lifecycle.standing beyond the store's states.
STANDING_WORDS = (
    N_("in force (shipped default)"),
    N_("in force (policy file)"),
    N_("shipped default, not in force"),
)


def _active_text(store: Any) -> tuple[str, str]:
    """The text in force and its name: the active version, else the shipped one."""
    active = store.active_policy_version()
    if active is not None:
        return active.yaml_text, display_name(active)
    shipped = shipped_policy()
    return shipped.text, f"{shipped.version} (shipped default)"


def _deciding(p: Page) -> str | None:
    """Label of the policy this service decides with (loaded when it started)."""
    loaded = getattr(p.state.engine, "loaded", None)
    version = getattr(loaded, "version", None)
    return version if isinstance(version, str) else None


def _views(p: Page, versions: list[PolicyVersion]) -> dict[str, Any]:
    """What the templates need to name versions and their status alike."""
    deciding = _deciding(p)
    status = {v.content_hash: standing(v, deciding) for v in versions}
    return {
        "deciding": deciding,
        "status": status,
        "name_of": display_name,
        "waiting": [
            v
            for v in versions
            if v.state == "active" and not status[v.content_hash].in_force
        ],
    }


def _list(p: Page, **values: Any) -> HTMLResponse:
    store = p.state.store
    versions = sorted(
        store.list_policy_versions(), key=lambda v: v.created_at, reverse=True
    )
    text, _name = _active_text(store)
    return p.render(
        "policies.html",
        page="policies",
        versions=versions,
        can_propose="analyst" in p.roles,
        proposal_text=values.pop("proposal_text", text),
        **_views(p, versions),
        **values,
    )


@router.get("/policies", response_class=HTMLResponse)
def policies(p: PageDep) -> HTMLResponse:
    """Stored policy versions with their states; the propose form for analysts."""
    p.require("policies")
    return _list(p)


@router.post("/policies", response_model=None)
def propose(
    p: PageDep,
    text: Annotated[str, Form(max_length=MAX_POLICY_CHARS)],
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Propose a policy text (analyst); audited as policy.proposed."""
    p.check_csrf(csrf_token)
    user = p.require("policies")
    try:
        version = lifecycle.propose_text(p.state.store, user.name, text, "console")
    except PermissionDenied:
        raise
    except FinduoError as exc:
        # An invalid text stays in the form with the message naming the field.
        return _list(p, proposal_text=text, problem=exc.message, status_code=400)
    return p.redirect(f"policies/{version.content_hash}", done="proposed")


@router.get("/policies/{content_hash}", response_class=HTMLResponse)
def version_page(
    p: PageDep, content_hash: str, against: str | None = None
) -> HTMLResponse:
    """One version: state, diff against the version in force, recorded what-if."""
    user = p.require("policies")
    store = p.state.store
    version = lifecycle.resolve(store, content_hash)
    if against:
        other = lifecycle.resolve(store, against)
        old_text, old_name = other.yaml_text, display_name(other)
    else:
        old_text, old_name = _active_text(store)
    changes = value_changes(old_text, version.yaml_text)
    diff = text_diff(old_text, version.yaml_text, old_name, display_name(version))
    trail = store.audit_events(subject_type="policy", subject_id=version.content_hash)
    simulations = [e for e in trail if e.action == lifecycle.SIMULATED]
    approver = "approver" in p.roles
    everything = store.list_policy_versions()
    return p.render(
        "policy.html",
        page="policies",
        **_views(p, everything),
        version=version,
        against_name=old_name,
        changes=changes,
        diff=diff,
        simulation=simulations[-1] if simulations else None,
        can_simulate=not p.roles.isdisjoint({"analyst", "approver"}),
        can_approve=approver and version.state == "proposed",
        own_proposal=version.proposed_by == user.name,
        can_activate=approver and version.state == "approved",
        others=[v for v in everything if v.content_hash != version.content_hash],
    )


def _step(p: Page, content_hash: str, csrf_token: str, step: str) -> RedirectResponse:
    p.check_csrf(csrf_token)
    user = p.require("policies")
    store = p.state.store
    if step == "simulate":
        lifecycle.simulate(store, user.name, content_hash)
    elif step == "approve":
        lifecycle.approve(store, user.name, content_hash)
    else:
        lifecycle.activate(store, user.name, content_hash)
    done = {"simulate": "simulated", "approve": "approved", "activate": "activated"}
    return p.redirect(f"policies/{content_hash}", done=done[step])


@router.post("/policies/{content_hash}/simulate", response_model=None)
def simulate(
    p: PageDep, content_hash: str, csrf_token: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Replay the version over the stored decisions (analyst or approver)."""
    return _step(p, content_hash, csrf_token, "simulate")


@router.post("/policies/{content_hash}/approve", response_model=None)
def approve(
    p: PageDep, content_hash: str, csrf_token: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Approve (an approver who did not propose it; refusals are audited)."""
    return _step(p, content_hash, csrf_token, "approve")


@router.post("/policies/{content_hash}/activate", response_model=None)
def activate(
    p: PageDep, content_hash: str, csrf_token: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Put an approved version in force (approver); the previous one retires."""
    return _step(p, content_hash, csrf_token, "activate")


__all__ = ["router"]
