"""The console's Monitoring page over HTTP: figures on too few rows read
"too few (n=...)" (regression of a new-user trial), in English and German."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from console_support import PASSWORD

from finduo.identity.passwords import hash_password
from finduo.settings import get_settings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def monitored(console: Any, trained: Any) -> Iterator[Any]:
    """The console with its model saved where the monitoring page looks."""
    from finduo.models import save_model

    patch = pytest.MonkeyPatch()
    patch.setenv("FINDUO_STATE_DIR", str(console.settings.state_dir))
    for name in ("FINDUO_MONITOR_MIN_PSI_ROWS", "FINDUO_MONITOR_MIN_GROUP_SIZE"):
        patch.delenv(name, raising=False)
    get_settings.cache_clear()
    save_model(trained.model, console.settings.state_dir / "models")
    console.store.create_user(
        "anke",
        ["analyst"],
        "test",
        password_hash=hash_password(PASSWORD),
        language="de",
    )
    try:
        yield console
    finally:
        patch.undo()
        get_settings.cache_clear()


def _page(console: Any, user: str) -> str:
    with httpx.Client(base_url=console.base, timeout=60) as client:
        token = CSRF.search(client.get("/console/sign-in").text)
        assert token
        client.post(
            "/console/sign-in",
            data={"name": user, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        answer = client.get("/console/monitoring")
    assert answer.status_code == 200
    return html.unescape(answer.text)


def _table(page: str, table_id: str) -> str:
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert found, table_id
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_monitoring_page_shows_too_few_instead_of_psi_on_200_decisions(
    monitored: Any,
) -> None:
    n = len(monitored.decisions)

    page = _page(monitored, "anna")

    psi = _table(page, "psi-table")
    assert n < 300
    assert psi.count(f"too few (n={n})") >= 10
    assert not re.search(r"\b0\.\d{3}\b", psi)  # no PSI figure at all
    assert "stable (below 0.10)" not in psi
    score = re.search(r'<p id="score-psi">(.*?)</p>', page, re.S)
    assert score and f"too few (n={n})" in score.group(1)
    assert "at least 300 recent decisions" in page
    fairness = _table(page, "fairness-table")
    assert re.search(r"too few \(n=\d+\)", fairness)
    assert "Groups under 100 decisions" in page


def test_monitoring_page_in_german_says_zu_wenige(monitored: Any) -> None:
    page = _page(monitored, "anke")

    assert "zu wenige (n=" in _table(page, "psi-table")
    assert "mindestens 300 jüngere Entscheidungen" in page
