"""The console over HTTP without a browser: sign-in, lock-out, CSRF, roles,
audit of every action, and the language catalogues."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from console_support import PASSWORD

from finduo.console.i18n import Formatter, catalogue_path
from finduo.console.session import MAX_FAILED_LOGINS
from finduo.store import CaseFilter

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(console) -> Iterator[httpx.Client]:
    """A fresh cookie jar against the module's server."""
    with httpx.Client(base_url=console.base, timeout=30) as c:
        yield c


def _csrf(client: httpx.Client, path: str = "/console/sign-in") -> str:
    found = CSRF.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def _sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> Any:
    token = _csrf(client)
    return client.post(
        "/console/sign-in",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_sign_in_without_csrf_token_is_refused(client):
    client.get("/console/sign-in")

    answer = client.post(
        "/console/sign-in", data={"name": "rita", "password": PASSWORD}
    )

    assert answer.status_code == 403
    assert "out of date" in answer.text


def test_sign_in_and_out_are_audited(client, console):
    answer = _sign_in(client, "rita")
    assert answer.status_code == 303
    token = _csrf(client, "/console/queue")

    out = client.post(
        "/console/sign-out", data={"csrf_token": token}, follow_redirects=False
    )

    assert out.status_code == 303
    actions = [
        e.action
        for e in console.store.audit_events(subject_type="user", subject_id="rita")
    ]
    assert "user.login" in actions
    assert actions[-1] == "console.sign_out"
    assert client.get("/console/queue", follow_redirects=False).status_code == 303


def test_sign_out_ends_a_copied_session_cookie(console):
    with httpx.Client(base_url=console.base, timeout=30) as first:
        _sign_in(first, "anna")
        copied = dict(first.cookies)
        token = _csrf(first, "/console/overview")
        with httpx.Client(base_url=console.base, cookies=copied, timeout=30) as thief:
            assert thief.get("/console/overview").status_code == 200

            first.post("/console/sign-out", data={"csrf_token": token})

            answer = thief.get("/console/overview", follow_redirects=False)
            assert answer.status_code == 303
            assert "/console/sign-in" in answer.headers["location"]


def test_repeated_failures_lock_the_account(client, console):
    from finduo.identity.passwords import hash_password

    console.store.create_user(
        "lena", ["reviewer"], "test", password_hash=hash_password(PASSWORD)
    )
    for _ in range(MAX_FAILED_LOGINS):
        wrong = _sign_in(client, "lena", "not the password at all")
        assert wrong.status_code in (401, 423)

    right = _sign_in(client, "lena")

    assert right.status_code == 423
    assert "locked" in right.text
    user = console.store.get_user("lena")
    assert console.store.is_locked(user)
    assert client.get("/console/queue", follow_redirects=False).status_code == 303


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    unknown = _sign_in(client, "nobody-here")
    wrong = _sign_in(client, "anna", "wrong password again")

    assert unknown.status_code == wrong.status_code == 401
    assert "Name or password is wrong." in unknown.text
    assert "Name or password is wrong." in wrong.text


def test_analyst_may_read_but_not_resolve(client, console):
    case = next(c for c in console.store.list_cases() if c.status == "open")
    _sign_in(client, "anna")
    page = client.get(f"/console/cases/{case.id}")
    assert page.status_code == 200
    token = CSRF.search(page.text).group(1)

    answer = client.post(
        f"/console/cases/{case.id}/resolve",
        data={
            "csrf_token": token,
            "action": "approve",
            "reason_code": "CONFIRMS_MACHINE",
        },
    )

    assert answer.status_code == 403
    assert console.store.get_case(case.id).status == "open"


def test_resolve_form_with_a_stale_csrf_token_is_refused(client, console):
    case = next(c for c in console.store.list_cases() if c.status == "open")
    _sign_in(client, "rita")

    answer = client.post(
        f"/console/cases/{case.id}/resolve",
        data={
            "csrf_token": "forged",
            "action": "approve",
            "reason_code": "CONFIRMS_MACHINE",
        },
    )

    assert answer.status_code == 403
    assert console.store.get_case(case.id).status == "open"


def test_reason_code_that_does_not_fit_is_explained(client, console):
    case = next(c for c in console.store.list_cases() if c.status == "open")
    _sign_in(client, "rita")
    token = _csrf(client, f"/console/cases/{case.id}")

    answer = client.post(
        f"/console/cases/{case.id}/resolve",
        data={"csrf_token": token, "action": "approve", "reason_code": "AFFORDABILITY"},
    )

    assert answer.status_code == 422
    assert "AFFORDABILITY" in answer.text
    assert console.store.get_case(case.id).status == "open"


def test_admin_alone_may_switch_the_stop_switch(client, console):
    _sign_in(client, "rita")
    token = _csrf(client, "/console/queue")

    answer = client.post(
        "/console/admin/stop-switch",
        data={"csrf_token": token, "on": "true", "reason": "x"},
    )

    assert answer.status_code == 403
    assert console.store.stop_switch() is False


def test_sign_in_does_not_redirect_off_site(client):
    token = _csrf(client)

    answer = client.post(
        "/console/sign-in",
        data={
            "name": "rita",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://example.org/console/queue",
        },
        follow_redirects=False,
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/"


def test_every_message_has_a_german_translation():
    root = Path(__file__).resolve().parents[2] / "src" / "finduo" / "console"
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "N_": None}
    used = {
        msg[2] for msg in extract_from_dir(root, method_map, options, keywords=keywords)
    }
    with catalogue_path("de").open("rb") as handle:
        catalogue = read_po(handle)
    missing = sorted(
        m for m in used if not (catalogue.get(m) and catalogue.get(m).string)
    )

    assert not missing


@pytest.mark.parametrize(
    ("language", "expected"), [("de", "1.234,56"), ("en", "1,234.56")]
)
def test_numbers_follow_the_language(language, expected):
    assert Formatter(language).number(1234.56) == expected


def test_blind_review_asks_for_a_first_judgement_and_stores_both(client, console):
    _sign_in(client, "adam")
    token = _csrf(client, "/console/admin")
    saved = client.post(
        "/console/admin/blind-review", data={"csrf_token": token, "team": "bea"}
    )
    assert saved.status_code == 303
    client.cookies.clear()
    case = [c for c in console.store.list_cases() if c.status == "open"][-1]
    _sign_in(client, "bea")

    blind = client.get(f"/console/cases/{case.id}")
    assert 'id="recommendation"' not in blind.text
    assert "first-judgement" in blind.text
    token = CSRF.search(blind.text).group(1)
    judged = client.post(
        f"/console/cases/{case.id}/first-judgement",
        data={"csrf_token": token, "judgement": "decline"},
    )
    assert judged.status_code == 303
    shown = client.get(f"/console/cases/{case.id}")
    assert 'id="recommendation"' in shown.text
    resolved = client.post(
        f"/console/cases/{case.id}/resolve",
        data={
            "csrf_token": token,
            "action": "approve",
            "reason_code": "CONFIRMS_MACHINE",
        },
    )

    assert resolved.status_code == 303
    resolution = console.store.get_case(case.id).resolution
    assert resolution.first_judgement == "decline"
    assert resolution.outcome == "approve"
    actions = [
        e.action
        for e in console.store.audit_events(subject_type="case", subject_id=case.id)
    ]
    assert actions.index("case.first_judgement") < actions.index("case.resolved")


def test_plain_approval_stores_the_band_terms_like_the_cli_and_api(client, console):
    case = next(
        c
        for c in console.store.list_cases(CaseFilter(limit=1000))
        if c.decision is not None and c.decision.band != "E"
    )
    _sign_in(client, "rita")
    token = _csrf(client, f"/console/cases/{case.id}")

    answer = client.post(
        f"/console/cases/{case.id}/resolve",
        data={"csrf_token": token, "action": "approve", "reason_code": "COLLATERAL"},
    )

    assert answer.status_code == 303
    terms = console.store.get_case(case.id).resolution.terms
    assert terms is not None and terms.credit_limit > 0
    (event,) = [
        e
        for e in console.store.audit_events(subject_type="case", subject_id=case.id)
        if e.action == "case.resolved"
    ]
    assert event.payload["terms"] == terms.model_dump(mode="json")


def test_reason_code_other_without_a_comment_is_a_form_error(client, console):
    case = next(c for c in console.store.list_cases() if c.status == "open")
    _sign_in(client, "rita")
    token = _csrf(client, f"/console/cases/{case.id}")

    answer = client.post(
        f"/console/cases/{case.id}/resolve",
        data={
            "csrf_token": token,
            "action": "decline",
            "reason_code": "OTHER",
            "comment": "   ",
        },
    )

    assert answer.status_code == 422
    assert "comment must say what the reason is" in answer.text
    assert console.store.get_case(case.id).status == "open"


def test_queue_filters_by_the_statuses_the_cli_and_api_take(client, console):
    store = console.store
    case = next(
        c
        for c in store.list_cases(CaseFilter(limit=1000))
        if c.decision is not None and c.kind == "onboarding"
    )
    store.supersede_open_cases(case.decision.application_id, "decided-again", "test")
    _sign_in(client, "rita")

    pages = {
        s: client.get("/console/queue", params={"status": s})
        for s in ("open", "resolved", "superseded", "any")
    }
    unknown = client.get("/console/queue", params={"status": "closed"})

    assert all(page.status_code == 200 for page in pages.values())
    assert case.id[:8] in pages["superseded"].text
    assert case.id[:8] in pages["any"].text
    assert case.id[:8] not in pages["open"].text
    assert 'value="superseded" selected' in pages["superseded"].text
    assert unknown.status_code == 422
    assert "closed is not a case status; showing open cases." in unknown.text
