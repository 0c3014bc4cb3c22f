"""Cases over HTTP: listed, shown, resolved once; concurrent resolution is 409."""

from __future__ import annotations

import threading
from typing import Any

from api_support import Api


def _referred(api: Api, applications: list[dict[str, Any]], count: int) -> list[dict]:
    found = []
    for application in applications:
        body = api.decide(application).json()
        if body["case_id"]:
            found.append(body)
            if len(found) == count:
                return found
    raise AssertionError(f"fewer than {count} held-out applications were referred")


def test_referral_opens_a_case_that_reviewers_see_with_the_application(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    (referred,) = _referred(api, applications, 1)

    listed = api.client.get("/v1/cases", headers=api.auth("reviewer")).json()
    shown = api.client.get(
        f"/v1/cases/{referred['case_id']}", headers=api.auth("reviewer")
    ).json()

    assert referred["case_id"] in [case["id"] for case in listed["cases"]]
    assert shown["status"] == "open"
    assert shown["decision"]["decision_id"] == referred["decision"]["decision_id"]
    assert (
        shown["application"]["application_id"]
        == (referred["decision"]["application_id"])
    )
    assert shown["referral_reasons"] == referred["decision"]["referral_reasons"]


def test_resolution_is_stored_audited_with_the_reviewer_and_not_repeatable(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    (referred,) = _referred(api, applications, 1)
    case_id = referred["case_id"]
    machine = referred["decision"]["recommendation"]
    other = "approve" if machine == "decline" else "decline"
    path = f"/v1/cases/{case_id}/resolution"

    first = api.client.post(
        path,
        json={"outcome": other, "reason_code": "OTHER", "comment": "checked"},
        headers=api.auth("reviewer"),
    )
    second = api.client.post(
        path,
        json={"outcome": machine, "reason_code": "CONFIRMS_MACHINE"},
        headers=api.auth("reviewer"),
    )

    assert first.status_code == 201, first.text
    assert first.json()["reviewer"] == "reviewer-client"
    assert first.json()["is_override"] is True
    assert second.status_code == 409
    assert second.json()["error"] == "conflict"
    actions = {
        (event.action, event.actor)
        for event in api.store.audit_events(limit=10_000)
        if event.actor == "reviewer-client"
    }
    assert any(action.startswith("case.resolved") for action, _ in actions), actions
    resolved = api.client.get(
        "/v1/cases", params={"status": "resolved"}, headers=api.auth("analyst")
    ).json()
    assert [case["id"] for case in resolved["cases"]] == [case_id]


def _race(api: Api, case_id: str, headers: list[dict[str, str]]) -> list[int]:
    """Both reviewers resolve ``case_id`` at the same moment; their statuses."""
    barrier = threading.Barrier(len(headers))
    statuses: list[int] = []

    def resolve(auth: dict[str, str]) -> None:
        barrier.wait()
        response = api.client.post(
            f"/v1/cases/{case_id}/resolution",
            json={"outcome": "decline", "reason_code": "CONFIRMS_MACHINE"},
            headers=auth,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=resolve, args=(h,)) for h in headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


def test_two_reviewers_at_once_exactly_one_wins(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    cases = _referred(api, applications, 3)
    _, second_token = api.store.create_token("reviewer-2", ["reviewer"], "test")
    headers = [api.auth("reviewer"), {"Authorization": f"Bearer {second_token}"}]

    results = [_race(api, referred["case_id"], headers) for referred in cases]

    assert results == [[201, 409]] * len(cases)


def test_resolution_with_unknown_reason_code_or_case_is_refused(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    (referred,) = _referred(api, applications, 1)

    bad_code = api.client.post(
        f"/v1/cases/{referred['case_id']}/resolution",
        json={"outcome": "approve", "reason_code": "BECAUSE"},
        headers=api.auth("reviewer"),
    )
    no_case = api.client.post(
        "/v1/cases/does-not-exist/resolution",
        json={"outcome": "approve", "reason_code": "OTHER", "comment": "seen"},
        headers=api.auth("reviewer"),
    )
    bad_outcome = api.client.post(
        f"/v1/cases/{referred['case_id']}/resolution",
        json={"outcome": "maybe", "reason_code": "OTHER", "comment": "seen"},
        headers=api.auth("reviewer"),
    )

    assert bad_code.status_code == 422
    assert "BECAUSE" in bad_code.json()["message"]
    assert no_case.status_code == 404
    assert bad_outcome.status_code == 422
    assert bad_outcome.json()["detail"][0]["field"] == "outcome"


def _referred_with_credit(api: Api, applications: list[dict[str, Any]]) -> dict:
    """A referral in a band that grants credit (not the last band, E)."""
    for application in applications:
        body = api.decide(application).json()
        if body["case_id"] and body["decision"]["band"] != "E":
            return dict(body)
    raise AssertionError("no held-out application was referred outside band E")


def test_approval_without_terms_stores_and_audits_the_band_terms(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    referred = _referred_with_credit(api, applications)
    case_id = referred["case_id"]

    resolved = api.client.post(
        f"/v1/cases/{case_id}/resolution",
        json={"outcome": "approve", "reason_code": "INCOME_VERIFIED"},
        headers=api.auth("reviewer"),
    )

    assert resolved.status_code == 201, resolved.text
    terms = resolved.json()["terms"]
    assert terms is not None and terms["credit_limit"] > 0
    shown = api.client.get(f"/v1/cases/{case_id}", headers=api.auth("reviewer"))
    assert shown.json()["resolution"]["terms"] == terms
    (event,) = [
        e
        for e in api.store.audit_events(subject_type="case", subject_id=case_id)
        if e.action == "case.resolved"
    ]
    assert event.payload["terms"]["credit_limit"] == terms["credit_limit"]
    assert event.payload["terms"]["payment_methods"] == terms["payment_methods"]


def test_reason_code_other_without_a_comment_is_a_422_naming_the_comment(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    (referred,) = _referred(api, applications, 1)
    path = f"/v1/cases/{referred['case_id']}/resolution"

    missing = api.client.post(
        path,
        json={"outcome": "decline", "reason_code": "OTHER"},
        headers=api.auth("reviewer"),
    )
    blank = api.client.post(
        path,
        json={"outcome": "decline", "reason_code": "OTHER", "comment": "  "},
        headers=api.auth("reviewer"),
    )

    for answer in (missing, blank):
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"]["field"] == "comment"
        assert "comment must say what the reason is" in answer.json()["message"]
    still = api.client.get(
        f"/v1/cases/{referred['case_id']}", headers=api.auth("reviewer")
    )
    assert still.json()["status"] == "open"


def test_cases_list_takes_every_status_and_the_openapi_names_them(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    from typing import get_args

    from finduo.store.records import CaseStatus

    (referred,) = _referred(api, applications, 1)
    application_id = referred["decision"]["application_id"]
    api.store.supersede_open_cases(application_id, "a-later-decision", "test")

    superseded = api.client.get(
        "/v1/cases", params={"status": "superseded"}, headers=api.auth("analyst")
    )
    every = api.client.get(
        "/v1/cases", params={"status": "any"}, headers=api.auth("analyst")
    )
    unknown = api.client.get(
        "/v1/cases", params={"status": "closed"}, headers=api.auth("analyst")
    )
    spec = api.client.get("/openapi.json").json()

    assert superseded.status_code == 200, superseded.text
    assert [c["id"] for c in superseded.json()["cases"]] == [referred["case_id"]]
    assert superseded.json()["cases"][0]["status"] == "superseded"
    assert referred["case_id"] in [c["id"] for c in every.json()["cases"]]
    assert unknown.status_code == 422
    (parameter,) = [
        p
        for p in spec["paths"]["/v1/cases"]["get"]["parameters"]
        if p["name"] == "status"
    ]
    assert set(parameter["schema"]["enum"]) == {*get_args(CaseStatus), "any"}
    answered = spec["components"]["schemas"]["CaseOut"]["properties"]["status"]
    assert set(answered["enum"]) == set(get_args(CaseStatus))
