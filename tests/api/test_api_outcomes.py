"""POST /v1/outcomes: stored, unmatched and duplicates reported, strict input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api_support import Api


def test_outcomes_are_stored_and_nothing_is_dropped_silently(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    decision_id = api.decide(applications[0]).json()["decision"]["decision_id"]
    item = {
        "decision_id": decision_id,
        "kind": "defaulted",
        "days_past_due": 95,
        "observed_at": datetime.now(UTC).isoformat(),
    }
    unknown = {**item, "decision_id": "no-such-decision"}

    first = api.client.post(
        "/v1/outcomes", json={"outcomes": [item, unknown]}, headers=api.auth("decider")
    )
    again = api.client.post(
        "/v1/outcomes", json={"outcomes": [item]}, headers=api.auth("decider")
    )

    assert first.status_code == 200, first.text
    assert first.json()["inserted"] == 1
    assert [u["decision_id"] for u in first.json()["unmatched"]] == ["no-such-decision"]
    assert again.json()["inserted"] == 0
    assert [d["decision_id"] for d in again.json()["duplicates"]] == [decision_id]
    (stored,) = api.store.list_outcomes(decision_id)
    assert stored.kind == "defaulted"
    assert stored.days_past_due == 95


def test_outcome_fields_are_strict(api: Api) -> None:
    response = api.client.post(
        "/v1/outcomes",
        json={
            "outcomes": [
                {
                    "decision_id": "x",
                    "kind": "lost",
                    "days_past_due": "90",
                    "observed_at": "2026-11-30T00:00:00",
                }
            ]
        },
        headers=api.auth("decider"),
    )

    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["detail"]}
    assert fields == {
        "outcomes.0.kind",
        "outcomes.0.days_past_due",
        "outcomes.0.observed_at",
    }


def test_implausible_outcomes_refuse_the_request_naming_each_field(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    decision = api.decide(applications[0]).json()["decision"]
    decided = datetime.fromisoformat(decision["created_at"])
    good = {
        "decision_id": decision["decision_id"],
        "kind": "paid",
        "observed_at": decided.isoformat(),
    }
    early = {**good, "observed_at": (decided - timedelta(days=2)).isoformat()}
    later = {**good, "observed_at": (decided + timedelta(days=40)).isoformat()}
    mild = {**good, "kind": "defaulted", "days_past_due": 45}

    response = api.client.post(
        "/v1/outcomes",
        json={"outcomes": [good, early, later, mild]},
        headers=api.auth("decider"),
    )

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation"
    items = {item["field"]: item for item in body["detail"]}
    assert set(items) == {
        "outcomes.1.observed_at",
        "outcomes.2.observed_at",
        "outcomes.3.days_past_due",
    }
    assert (
        "before the day of its decision" in items["outcomes.1.observed_at"]["expected"]
    )
    assert "in the future" in items["outcomes.2.observed_at"]["message"]
    assert items["outcomes.3.days_past_due"]["got"] == 45
    assert "at least 90 days past due" in items["outcomes.3.days_past_due"]["message"]
    assert api.store.list_outcomes(decision["decision_id"]) == []
