"""POST /v1/decisions and friends: answers, storage, validation, idempotency."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import Api


def test_decision_is_answered_committed_and_audited(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    application = applications[0]

    response = api.decide(application)

    assert response.status_code == 200, response.text
    body = response.json()
    decision = body["decision"]
    assert decision["application_id"] == application["application_id"]
    assert decision["outcome"] in {"approve", "refer", "decline"}
    assert 0.0 <= decision["pd"] <= 1.0
    assert body["replayed"] is False
    stored = api.store.get_decision(decision["decision_id"])
    assert stored.outcome == decision["outcome"]
    assert stored.pd == pytest.approx(decision["pd"])
    events = api.store.audit_events(
        subject_type="decision", subject_id=decision["decision_id"]
    )
    assert [event.actor for event in events] == ["decider-client"]
    assert (body["case_id"] is not None) == (decision["outcome"] == "refer")


def test_reasons_come_with_refer_and_decline_only(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    answers = [api.decide(app).json()["decision"] for app in applications[:40]]

    outcomes = {answer["outcome"] for answer in answers}
    assert len(outcomes) >= 2, f"40 held-out applications gave only {outcomes}"
    for answer in answers:
        if answer["outcome"] == "approve":
            assert answer["reasons"] == []
            assert answer["terms"] is not None
        else:
            assert 1 <= len(answer["reasons"]) <= 4
            texts = [reason["text"]["en"] for reason in answer["reasons"]]
            assert all(texts), answer["reasons"]


def test_openapi_example_is_valid_and_decided(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    body = spec["paths"]["/v1/decisions"]["post"]["requestBody"]
    example = body["content"]["application/json"]["examples"]["german-credit"]["value"]

    response = api.decide(example)

    assert example, "the OpenAPI example of POST /v1/decisions is empty"
    assert response.status_code == 200, response.text


def _errors_by_field(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation"
    return {item["field"]: item for item in body["detail"]}


def test_field_errors_name_field_expectation_and_value(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    application = dict(applications[1])
    application["duration_months"] = False  # lax mode would read 0
    application["credit_amount"] = "2500"
    application["age_years"] = 12
    application["favourite_colour"] = "green"
    del application["checking_account"]

    errors = _errors_by_field(api.decide(application))

    assert set(errors) == {
        "duration_months",
        "credit_amount",
        "age_years",
        "favourite_colour",
        "checking_account",
    }
    assert errors["duration_months"]["got"] is False
    assert "integer" in errors["duration_months"]["expected"]
    assert errors["credit_amount"]["got"] == "2500"
    assert "number" in errors["credit_amount"]["expected"]
    assert errors["age_years"]["got"] == 12
    assert "greater than or equal to 14" in errors["age_years"]["expected"]
    assert errors["favourite_colour"]["expected"].startswith("no such field")
    assert errors["checking_account"]["expected"].startswith("a value")
    assert "got" not in errors["checking_account"]
    assert api.store.list_decisions() == []


@pytest.mark.parametrize(
    "body", ["not json", "[1, 2]", "null", '{"application_id": 7}']
)
def test_malformed_bodies_are_422_never_5xx(api: Api, body: str) -> None:
    response = api.client.post(
        "/v1/decisions",
        content=body,
        headers={**api.auth("decider"), "Content-Type": "application/json"},
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_unseen_category_is_decided_and_referred(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    application = {**applications[2], "checking_account": "crypto wallet"}

    response = api.decide(application)

    assert response.status_code == 200, response.text
    decision = response.json()["decision"]
    assert decision["outcome"] in {"refer", "decline"}
    assert any("checking_account" in reason for reason in decision["referral_reasons"])


def test_request_body_over_the_limit_is_413_declared_or_streamed(api: Api) -> None:
    limit = api.settings.max_request_bytes
    body = json.dumps({"application_id": "x" * (limit + 10)}).encode()
    headers = {**api.auth("decider"), "Content-Type": "application/json"}

    declared = api.client.post("/v1/decisions", content=body, headers=headers)
    streamed = api.client.post(
        "/v1/decisions",
        content=(body[i : i + 65536] for i in range(0, len(body), 65536)),
        headers=headers,
    )
    text = api.client.get("/metrics", headers=api.auth("analyst")).text

    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["error"] == "too_large"
        assert str(limit) in response.json()["message"]
    assert "Content-Length" not in streamed.request.headers
    assert 'status="413"' in text
    assert api.store.list_decisions() == []


def test_same_idempotency_key_and_body_replays_the_first_decision(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    application = applications[3]

    first = api.decide(application, **{"Idempotency-Key": "order-4711"})
    again = api.decide(application, **{"Idempotency-Key": "order-4711"})

    assert first.status_code == again.status_code == 200
    assert again.json()["decision"] == first.json()["decision"]
    assert again.json()["replayed"] is True
    assert again.headers["Idempotent-Replayed"] == "true"
    stored = api.store.decisions_for_application(application["application_id"])
    assert [d.decision_id for d in stored] == [first.json()["decision"]["decision_id"]]


def test_same_idempotency_key_with_another_body_is_422(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    api.decide(applications[4], **{"Idempotency-Key": "order-4712"})

    other = api.decide(applications[5], **{"Idempotency-Key": "order-4712"})

    assert other.status_code == 422, other.text
    assert other.json()["error"] == "idempotency"
    assert "order-4712" in other.json()["message"]
    assert api.store.decisions_for_application(applications[5]["application_id"]) == []


def test_an_application_id_decided_before_is_refused_unless_redecide(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    application = applications[6]
    app_id = application["application_id"]
    first = api.decide(application)
    again = api.decide(application)
    other_key = api.decide(application, **{"Idempotency-Key": "fresh-key"})
    batch = api.client.post(
        "/v1/decisions/batch",
        json={"applications": [applications[7], application]},
        headers=api.auth("decider"),
    )
    twice = api.client.post(
        "/v1/decisions/batch",
        json={"applications": [applications[8], applications[8]]},
        headers=api.auth("decider"),
    )
    anew = api.client.post(
        "/v1/decisions?redecide=true", json=application, headers=api.auth("decider")
    )

    assert first.status_code == 200
    for refused in (again, other_key, batch):
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["error"] == "conflict"
        assert app_id in body["message"]
        assert first.json()["decision"]["decision_id"] in body["message"]
        assert body["detail"]["application_ids"] == [app_id]
    assert twice.status_code == 409
    assert "more than once in this request" in twice.json()["message"]
    assert anew.status_code == 200
    assert len(api.store.decisions_for_application(app_id)) == 2
    # A refused batch stores none of its decisions.
    assert api.store.decisions_for_application(applications[7]["application_id"]) == []
    assert api.store.decisions_for_application(applications[8]["application_id"]) == []


def test_batch_decides_each_application_and_counts_outcomes(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    batch = applications[10:30]

    response = api.client.post(
        "/v1/decisions/batch",
        json={"applications": batch},
        headers={**api.auth("decider"), "Idempotency-Key": "batch-1"},
    )
    replay = api.client.post(
        "/v1/decisions/batch",
        json={"applications": batch},
        headers={**api.auth("decider"), "Idempotency-Key": "batch-1"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    ids = [item["decision"]["application_id"] for item in body["decisions"]]
    assert ids == [app["application_id"] for app in batch]
    assert sum(body["counts"].values()) == len(batch)
    assert [d["decision"] for d in replay.json()["decisions"]] == [
        d["decision"] for d in body["decisions"]
    ]
    assert len(api.store.list_decisions()) == len(batch)


def test_batch_over_the_configured_limit_is_422(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    limit = api.settings.batch_limit
    batch = (applications * (limit // len(applications) + 2))[: limit + 1]

    errors = _errors_by_field(
        api.client.post(
            "/v1/decisions/batch",
            json={"applications": batch},
            headers=api.auth("decider"),
        )
    )

    assert "applications" in errors
    assert str(limit) in errors["applications"]["expected"]


def test_batch_error_names_the_item_and_field(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    batch = [applications[0], {**applications[1], "age_years": "old"}]

    errors = _errors_by_field(
        api.client.post(
            "/v1/decisions/batch",
            json={"applications": batch},
            headers=api.auth("decider"),
        )
    )

    assert list(errors) == ["applications.1.age_years"]
    assert errors["applications.1.age_years"]["got"] == "old"


def test_stored_decision_is_read_back_and_unknown_is_404(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    answered = [api.decide(app).json() for app in applications[7:17]]
    found = [
        api.client.get(
            f"/v1/decisions/{a['decision']['decision_id']}", headers=api.auth("analyst")
        )
        for a in answered
    ]
    missing = api.client.get("/v1/decisions/nope", headers=api.auth("analyst"))

    assert [f.status_code for f in found] == [200] * len(answered)
    assert [f.json()["decision"] for f in found] == [a["decision"] for a in answered]
    assert [f.json()["case_id"] for f in found] == [a["case_id"] for a in answered]
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


def test_stop_switch_sends_every_application_to_review(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    api.store.set_stop_switch(True, "test")

    answers = [api.decide(app).json() for app in applications[:8]]

    assert {a["decision"]["outcome"] for a in answers} == {"refer"}
    assert all("stop_switch" in a["decision"]["referral_reasons"] for a in answers)
    assert all(a["case_id"] for a in answers)


def test_policy_of_every_decision_is_kept_in_the_store(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    decision = api.decide(applications[0]).json()["decision"]

    versions = api.store.list_policy_versions()

    assert decision["policy_version"] in {v.version_label for v in versions}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_a_422_not_a_server_error(
    api: Api, applications: list[dict[str, Any]], number: str
) -> None:
    # JSON has no NaN or Infinity, but Python's parser reads them (and 1e400
    # as infinity); the answer must still be JSON.
    application = applications[0]
    numeric = next(k for k, v in application.items() if isinstance(v, float | int))
    body = json.dumps({**application, numeric: 1.5}).replace(
        f'"{numeric}": 1.5', f'"{numeric}": {number}'
    )
    text = json.dumps({**application, "checking_account": 1.5}).replace(
        '"checking_account": 1.5', f'"checking_account": {number}'
    )
    headers = {**api.auth("decider"), "Content-Type": "application/json"}

    for content in (body, text):
        response = api.client.post("/v1/decisions", content=content, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "validation"
    batch = api.client.post(
        "/v1/decisions/batch",
        content='{"applications": [' + body + "]}",
        headers=headers,
    )
    assert batch.status_code == 422, batch.text
    assert api.store.list_decisions() == []


def test_redecide_closes_the_open_case_of_the_earlier_decision(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    unseen = {**applications[3], "checking_account": "bitcoin wallet"}
    first = api.decide(unseen).json()
    again = api.client.post(
        "/v1/decisions?redecide=true", json=unseen, headers=api.auth("decider")
    ).json()
    superseded = api.client.get(
        "/v1/cases?status=superseded", headers=api.auth("reviewer")
    ).json()
    still_open = api.client.get(
        "/v1/cases?status=open", headers=api.auth("reviewer")
    ).json()

    assert (
        first["case_id"] and again["case_id"] and first["case_id"] != again["case_id"]
    )
    assert [c["id"] for c in superseded["cases"]] == [first["case_id"]]
    assert [c["id"] for c in still_open["cases"]] == [again["case_id"]]
