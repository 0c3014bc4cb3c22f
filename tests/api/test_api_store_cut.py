"""The link to PostgreSQL cut mid-test: a clean 503, nothing half-stored, and
recovery once the link is back. The cut is made by a TCP proxy on 127.0.0.1
that the test owns; the shared PostgreSQL server is never touched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import Api, Trained, open_api
from tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied(
    pg_url: str, tmp_path: Path, trained: Trained
) -> Iterator[tuple[Api, TcpProxy]]:
    proxy = TcpProxy(5432)
    proxy.start()
    url = pg_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    # Tokens remembered for a minute: the cut then bites in the decision's write.
    api = open_api(url, tmp_path / "state", trained, token_cache_seconds=60.0)
    try:
        with api.client:
            yield api, proxy
    finally:
        proxy.cut()
        api.store.close()


def test_cut_store_gives_503_then_service_recovers(
    proxied: tuple[Api, TcpProxy], applications: list[dict[str, Any]]
) -> None:
    api, proxy = proxied
    before = api.decide(applications[0])

    proxy.cut()
    during = api.decide(applications[1])
    ready_during = api.client.get("/v1/ready")
    proxy.start()
    after = _first_success(api, applications[2], seconds=15)

    assert before.status_code == 200, before.text
    assert during.status_code == 503, during.text
    assert during.json()["error"] == "store_unavailable"
    assert during.headers["Retry-After"] == "1"
    assert ready_during.status_code == 503
    assert ready_during.json()["checks"]["store"] is False
    assert after.status_code == 200, after.text
    assert api.client.get("/v1/ready").status_code == 200
    stored = {d.application_id for d in api.store.list_decisions()}
    assert stored == {
        applications[0]["application_id"],
        applications[2]["application_id"],
    }
    assert api.store.audit_verify().ok


def _first_success(api: Api, application: dict[str, Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        response = api.decide(application)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)
