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
        json={"outcome": "approve", "reason_code": "OTHER"},
        headers=api.auth("reviewer"),
    )
    bad_outcome = api.client.post(
        f"/v1/cases/{referred['case_id']}/resolution",
        json={"outcome": "maybe", "reason_code": "OTHER"},
        headers=api.auth("reviewer"),
    )

    assert bad_code.status_code == 422
    assert "BECAUSE" in bad_code.json()["message"]
    assert no_case.status_code == 404
    assert bad_outcome.status_code == 422
    assert bad_outcome.json()["detail"][0]["field"] == "outcome"
