"""Every route against every role: 401 without a valid token, 403 for a role
that may not, and the route's own answer for a role that may."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from api_support import Api

from finduo.identity import Role

ALL = frozenset(role.value for role in Role)
D, RV, AN, AP, AD = "decider", "reviewer", "analyst", "approver", "admin"

# (method, route template) -> roles that may call it; the spec, written out.
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/decisions"): frozenset({D}),
    ("POST", "/v1/decisions/batch"): frozenset({D}),
    ("GET", "/v1/decisions/{decision_id}"): frozenset({D, RV, AN, AP}),
    ("GET", "/v1/cases"): frozenset({RV, AN, AP}),
    ("GET", "/v1/cases/{case_id}"): frozenset({RV, AN, AP}),
    ("POST", "/v1/cases/{case_id}/resolution"): frozenset({RV}),
    ("POST", "/v1/outcomes"): frozenset({D}),
    ("GET", "/metrics"): frozenset({AN, AD}),
}
PUBLIC = {("GET", "/v1/health"), ("GET", "/v1/ready")}


def _referred_case(api: Api, applications: list[dict[str, Any]]) -> tuple[str, str]:
    for application in applications:
        body = api.decide(application).json()
        if body["case_id"]:
            return body["decision"]["decision_id"], body["case_id"]
    raise AssertionError("no held-out application was referred")


Call = Callable[[str], Any]


def _calls(api: Api, applications: list[dict[str, Any]]) -> dict[tuple[str, str], Call]:
    decision_id, case_id = _referred_case(api, applications)
    client = api.client

    def post(path: str, body: Any) -> Call:
        return lambda role: client.post(path, json=body, headers=_auth(api, role))

    def get(path: str) -> Call:
        return lambda role: client.get(path, headers=_auth(api, role))

    return {
        # redecide: every role allowed to decide asks for the same ids.
        ("POST", "/v1/decisions"): post(
            "/v1/decisions?redecide=true", applications[-1]
        ),
        ("POST", "/v1/decisions/batch"): post(
            "/v1/decisions/batch?redecide=true", {"applications": applications[-3:]}
        ),
        ("GET", "/v1/decisions/{decision_id}"): get(f"/v1/decisions/{decision_id}"),
        ("GET", "/v1/cases"): get("/v1/cases"),
        ("GET", "/v1/cases/{case_id}"): get(f"/v1/cases/{case_id}"),
        ("POST", "/v1/cases/{case_id}/resolution"): post(
            f"/v1/cases/{case_id}/resolution",
            {"outcome": "decline", "reason_code": "CONFIRMS_MACHINE"},
        ),
        ("POST", "/v1/outcomes"): post(
            "/v1/outcomes",
            {
                "outcomes": [
                    {
                        "decision_id": decision_id,
                        "kind": "paid",
                        # today: an outcome is never before its decision
                        "observed_at": datetime.now(UTC).isoformat(),
                    }
                ]
            },
        ),
        ("GET", "/metrics"): get("/metrics"),
    }


def _auth(api: Api, role: str) -> dict[str, str]:
    if role == "none":
        return {}
    if role == "forged":
        return {"Authorization": "Bearer fdo_" + "A" * 43}
    return api.auth(role)


def test_matrix_covers_every_operation_of_the_openapi(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    operations = {
        (method.upper(), path) for path, item in paths.items() for method in item
    }

    assert operations == set(MATRIX) | PUBLIC


def test_every_route_against_every_role(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    calls = _calls(api, applications)
    seen: dict[tuple[str, str, str], int] = {}

    for route, call in calls.items():
        for role in [*sorted(ALL - MATRIX[route]), "none", "forged"]:
            seen[(*route, role)] = call(role).status_code
        for role in sorted(MATRIX[route]):
            seen[(*route, role)] = call(role).status_code

    wrong = {}
    for (method, path, role), status in seen.items():
        allowed = role in MATRIX[(method, path)]
        expected = {"none": 401, "forged": 401}.get(role, 403)
        ok = 200 <= status < 300 if allowed else status == expected
        if not ok:
            wrong[(method, path, role)] = status
    assert wrong == {}


def test_refusals_are_counted_by_route_and_status(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    api.client.get("/v1/cases")
    api.client.get("/v1/cases", headers=api.auth("decider"))
    api.client.get("/v1/cases", headers=api.auth("admin"))

    text = api.client.get("/metrics", headers=api.auth("analyst")).text

    assert 'finduo_auth_refusals_total{route="/v1/cases",status="401"} 1.0' in text
    assert 'finduo_auth_refusals_total{route="/v1/cases",status="403"} 2.0' in text


@pytest.mark.parametrize("path", ["/v1/health", "/v1/ready"])
def test_probes_need_no_token(api: Api, path: str) -> None:
    response = api.client.get(path)

    assert response.status_code == 200, response.text


def test_refusal_bodies_say_why(api: Api) -> None:
    missing = api.client.get("/v1/cases")
    wrong_role = api.client.get("/v1/cases", headers=api.auth("decider"))

    assert missing.json()["error"] == "auth"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in missing.json()["message"]
    assert wrong_role.json()["error"] == "permission_denied"
    assert wrong_role.json()["message"] == (
        "read_cases needs one of the roles analyst, approver, reviewer; "
        "'decider-client' has decider."
    )


def test_revoked_token_is_refused_at_once(api: Api) -> None:
    token, plaintext = api.store.create_token("shop-2", ["decider"], "test")
    headers = {"Authorization": f"Bearer {plaintext}"}
    before = api.client.get("/v1/decisions/none-such", headers=headers)

    api.store.revoke_token(token.id, "test")
    after = api.client.get("/v1/decisions/none-such", headers=headers)

    assert before.status_code == 404
    assert after.status_code == 401
