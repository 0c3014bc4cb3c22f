"""Console pages follow the roles of docs/CONSOLE.md: 200 where a role may,
a 403 page naming the roles where it may not, and no link to a refused page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from console_support import PASSWORD

from finduo.console.pages import ACCESS
from finduo.identity.passwords import hash_password

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# One user per role (rita, anna and adam come from the console's fixtures).
BY_ROLE = {
    "reviewer": "rita",
    "analyst": "anna",
    "approver": "paula",
    "admin": "adam",
    "decider": "dora",
}
# Page -> the ACCESS action its GET needs (docs/CONSOLE.md, "Pages and who
# may use them").
PAGES = {
    "queue": "read_cases",
    "case": "read_cases",
    "overview": "overview",
    "decisions": "read_decisions",
    "decision": "read_decisions",
    "admin": "stop_switch",
    "monitoring": "monitoring",
    "policies": "policies",
}


@pytest.fixture(scope="module")
def paths(console: Any) -> dict[str, str]:
    for name, role in (("paula", "approver"), ("dora", "decider")):
        if console.store.find_user(name) is None:
            console.store.create_user(
                name, [role], "test", password_hash=hash_password(PASSWORD)
            )
    case = next(c for c in console.store.list_cases() if c.status == "open")
    decision = console.decisions[0].decision_id
    out = {page: f"/console/{page}" for page in PAGES}
    out["case"] = f"/console/cases/{case.id}"
    out["decision"] = f"/console/decisions/{decision}"
    return out


def _client(console: Any, name: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console.base, timeout=60) as client:
        token = CSRF.search(client.get("/console/sign-in").text)
        assert token
        signed = client.post(
            "/console/sign-in",
            data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        yield client


@pytest.mark.parametrize("role", sorted(BY_ROLE))
def test_every_page_against_every_role(
    console: Any, paths: dict[str, str], role: str
) -> None:
    refused, opened = {}, {}
    for client in _client(console, BY_ROLE[role]):
        for page, path in paths.items():
            answer = client.get(path, follow_redirects=False)
            (opened if answer.status_code == 200 else refused)[page] = answer

    allowed = {page for page, action in PAGES.items() if role in ACCESS[action]}
    assert set(opened) == allowed
    for page, answer in refused.items():
        assert answer.status_code == 403, (page, answer.status_code)
        assert "Not allowed" in answer.text
        assert f"Your roles: {role}" in answer.text
        needed = sorted(ACCESS[PAGES[page]])
        assert f"one of the roles {', '.join(needed)}." in answer.text
    for answer in opened.values():
        links = set(re.findall(r"<nav.*?</nav>", answer.text, re.S)[0].split('"'))
        for page in ("queue", "overview", "decisions", "admin", "monitoring"):
            assert (f"/console/{page}" in links) == (page in allowed), page


def test_a_reviewer_is_refused_the_overview_and_lands_on_the_queue(
    console: Any,
) -> None:
    for client in _client(console, "rita"):
        start = client.get("/console/", follow_redirects=False)
        overview = client.get("/console/overview")

    assert start.headers["location"].endswith("/console/queue")
    assert overview.status_code == 403
    assert "override" not in overview.text.lower()


def test_the_refusal_is_in_german_for_a_german_user(console: Any) -> None:
    for client in _client(console, "renate"):
        answer = client.get("/console/monitoring")

    assert answer.status_code == 403
    assert "Nicht erlaubt" in answer.text
    assert "Ihre Rollen: Prüfer (reviewer)" in answer.text
    assert "Freigeber (approver)" in answer.text
    assert "(Prüfer)" in answer.text  # the header names the role in German


def test_policies_name_label_and_hash_and_show_the_shipped_default_in_force(
    console: Any, paths: dict[str, str]
) -> None:
    from finduo.lifecycle.standing import display_name
    from finduo.policy import shipped_policy

    shipped = shipped_policy().version
    (stored,) = [
        v for v in console.store.list_policy_versions() if v.version_label == shipped
    ]
    for client in _client(console, "anna"):
        listing = client.get("/console/policies").text
        one = client.get(f"/console/policies/{stored.content_hash}").text
        decision = client.get(paths["decision"]).text

    row = re.search(rf'<tr data-hash="{stored.content_hash}">.*?</tr>', listing, re.S)
    assert row is not None
    assert f"{shipped}</a>" in row.group(0)
    assert f"({stored.content_hash[:12]})" in row.group(0)
    assert "in force (shipped default)" in row.group(0)
    assert ">draft<" not in listing
    assert f"This service decides with {shipped}." in listing
    state = re.search(r'id="policy-state">([^<]+)<', one)
    assert state is not None and state.group(1) == "in force (shipped default)"
    assert display_name(stored) in one  # the page title
    policy = re.search(r'id="decision-policy">([^<]+)<', decision)
    assert policy is not None and policy.group(1) == shipped


def test_policy_status_is_german_for_a_german_analyst(console: Any) -> None:
    if console.store.find_user("dana") is None:
        console.store.create_user(
            "dana",
            ["analyst"],
            "test",
            password_hash=hash_password(PASSWORD),
            language="de",
        )
    for client in _client(console, "dana"):
        listing = client.get("/console/policies").text

    assert "in Kraft (mitgelieferte Standardrichtlinie)" in listing
    assert "Dieser Dienst entscheidet mit german-credit-" in listing
