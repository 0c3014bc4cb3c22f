"""The decision fast path answers the plain request as the FastAPI route would,
and hands every other request on to FastAPI unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import Api
from starlette.testclient import TestClient

VOLATILE = {"decision_id", "created_at"}


def _fast(api: Api) -> Any:
    fast = api.app.fast_path  # type: ignore[attr-defined]
    assert fast is not None
    return fast


def test_a_plain_request_is_answered_by_the_fast_path_as_by_the_route(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    fast = _fast(api)
    framework = TestClient(api.app.framework)  # type: ignore[attr-defined]
    for application in applications[:12]:
        before = fast.answered
        quick = api.decide(application)
        assert fast.answered == before + 1
        slow = framework.post(
            "/v1/decisions",
            json={
                **application,
                "application_id": application["application_id"] + "-2",
            },
            headers=api.auth("decider"),
        )
        assert fast.answered == before + 1  # the framework itself, not the fast path
        assert quick.status_code == slow.status_code == 200
        assert quick.headers["content-type"] == slow.headers["content-type"]
        one, other = quick.json(), slow.json()
        assert one.keys() == other.keys()
        assert (one["case_id"] is None) == (other["case_id"] is None)
        mine = {k: v for k, v in one["decision"].items() if k not in VOLATILE}
        theirs = {k: v for k, v in other["decision"].items() if k not in VOLATILE}
        mine.pop("application_id"), theirs.pop("application_id")
        mine.pop("inputs_fingerprint"), theirs.pop("inputs_fingerprint")
        assert mine == theirs
    stored = api.store.list_decisions(limit=100)
    assert len(stored) == 24  # every answer was committed before it was sent
    text = api.client.get("/metrics", headers=api.auth("analyst")).text
    assert 'route="/v1/decisions",status="200"' in text


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("no token", 401),
        ("unknown token", 401),
        ("reviewer token", 403),
        ("text body", 422),
        ("broken json", 422),
        ("unknown field", 422),
        ("bad key", 422),
    ],
)
def test_anything_else_is_handed_to_fastapi_unchanged(
    api: Api, applications: list[dict[str, Any]], case: str, status: int
) -> None:
    fast = _fast(api)
    application = applications[0]
    headers = {**api.auth("decider"), "Content-Type": "application/json"}
    body: Any = None
    payload: Any = application
    if case == "no token":
        headers.pop("Authorization")
    elif case == "unknown token":
        headers["Authorization"] = "Bearer fdo_nobody"
    elif case == "reviewer token":
        headers.update(api.auth("reviewer"))
    elif case == "text body":
        headers["Content-Type"] = "text/plain"
    elif case == "broken json":
        body, payload = b'{"application_id": ', None
    elif case == "unknown field":
        payload = {**application, "shoe_size": 44}
    elif case == "bad key":
        headers["Idempotency-Key"] = "has spaces in it"
    content = body if body is not None else json.dumps(payload).encode()
    before = fast.answered

    response = api.client.post("/v1/decisions", content=content, headers=headers)

    assert response.status_code == status, response.text
    assert fast.answered == before
    assert "error" in response.json()
    assert api.store.list_decisions() == []


def test_idempotent_replay_through_the_fast_path(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    fast = _fast(api)
    first = api.decide(applications[1], **{"Idempotency-Key": "order-77"})
    again = api.decide(applications[1], **{"Idempotency-Key": "order-77"})
    other = api.decide(applications[2], **{"Idempotency-Key": "order-77"})

    assert fast.answered == 3
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["decision"] == first.json()["decision"]
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency"
    assert len(api.store.list_decisions()) == 1
