"""Probes and Prometheus metrics."""

from __future__ import annotations

import re
from typing import Any

from api_support import Api


def test_ready_names_the_model_and_policy_versions(api: Api) -> None:
    body = api.client.get("/v1/ready").json()

    assert body["status"] == "ready"
    assert body["checks"] == {"store": True, "model": True, "policy": True}
    assert body["model_version"].startswith("lightgbm-") or body["model_version"]
    assert body["policy_version"] == api.app.state.service.policy_version


def test_metrics_count_requests_by_route_and_status_and_decisions_by_outcome(
    api: Api, applications: list[dict[str, Any]]
) -> None:
    outcomes = [
        api.decide(app).json()["decision"]["outcome"] for app in applications[:12]
    ]
    api.client.get("/v1/decisions/unknown-id", headers=api.auth("analyst"))

    text = api.client.get("/metrics", headers=api.auth("analyst")).text

    line = (
        'finduo_http_requests_total{method="POST",route="/v1/decisions",status="200"}'
    )
    assert f"{line} 12.0" in text
    missing = 'route="/v1/decisions/{decision_id}",status="404"'
    assert missing in text
    for outcome in set(outcomes):
        count = outcomes.count(outcome)
        assert f'finduo_decisions_total{{outcome="{outcome}"}} {count}.0' in text
    buckets = re.findall(
        r'finduo_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",'
        r'route="/v1/decisions",status="200"\} (\d+)',
        text,
    )
    assert buckets and int(float(buckets[-1])) == 12
    assert 'finduo_decision_step_seconds_count{step="store"}' in text


def test_unknown_path_is_a_json_404(api: Api) -> None:
    response = api.client.get("/v2/everything")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_docs_are_labelled_by_path_and_odd_urls_are_not(api: Api) -> None:
    api.client.get("/openapi.json")
    api.client.get("/v1/cases/../../etc/passwd")

    text = api.client.get("/metrics", headers=api.auth("analyst")).text

    assert 'route="/openapi.json",status="200"' in text
    assert "passwd" not in text
