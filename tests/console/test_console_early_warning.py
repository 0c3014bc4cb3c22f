"""The console's case page of an early-warning case speaks of a customer.

Regression of a new-user trial: an early-warning case (opened by the
portfolio scan, no application) showed "The applicant's data has been
erased", "No rule fired" and application wording.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from console_support import PASSWORD

from finduo.behaviour.model import model_inputs
from finduo.datasets import taiwan
from finduo.portfolio.reasons import reason_text
from finduo.portfolio.runner import store_case_opener

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ONBOARDING_WORDS = (
    "has been erased",
    "No rule fired",
    "Application, as the applicant gave it",
    "similar past customers",
    "Approve with changed terms",
    "Daten des Antragstellers",
    "Keine Regel",
)


def _reasons(values: dict[str, np.ndarray], i: int, language: str) -> str:
    names = ("delinq_cur", "pay_ratio_m2", "limit_bal")
    return "; ".join(
        f"R{k}: {reason_text(n, float(values[n][i]), language)}"
        for k, n in enumerate(names)
    )


@pytest.fixture(scope="module")
def early_warning_case(console):
    """A case opened by the scan's opener for a real Taiwan customer in arrears."""
    data = Path(os.environ.get("FINDUO_DATA_DIR", "../shared/data"))
    wide = taiwan.load_taiwan(data / taiwan.NAME / taiwan.FILE_NAME).head(200)
    values = model_inputs({str(c): wide[c].to_numpy() for c in wide.columns})
    i = int(np.flatnonzero(values["delinq_cur"] >= 2)[0])
    opener = store_case_opener(
        console.store,
        "analyst-1",
        {"scan": "watch-2005-09.csv", "as_of": "2005-09-30"},
        {"EW03_PLAN": "In arrears now and on the watchlist - offer a payment plan."},
    )
    link = opener(
        {
            "customer_id": str(wide[taiwan.ID_COLUMN].iloc[i]),
            "pd": 0.7312,
            "action": "payment_plan",
            "rule": "EW03_PLAN",
            "exposure": float(wide["bill_amt_1"].iloc[i]),
            "reasons": _reasons(values, i, "en"),
            "reasons_de": _reasons(values, i, "de"),
        }
    )
    return console.store.get_case(link.case_id)


@pytest.fixture
def signed_in(console) -> Iterator[Callable[[str], httpx.Client]]:
    def sign_in(name: str) -> httpx.Client:
        client = httpx.Client(base_url=console.base, timeout=30)
        token = CSRF.search(client.get("/console/sign-in").text)
        assert token
        client.post(
            "/console/sign-in",
            data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        clients.append(client)
        return client

    clients: list[httpx.Client] = []
    yield sign_in
    for client in clients:
        client.close()


def test_case_page_shows_customer_date_pd_action_and_reasons(
    signed_in, early_warning_case
) -> None:
    case = early_warning_case

    page = html.unescape(signed_in("rita").get(f"/console/cases/{case.id}").text)

    assert page.count(case.subject_id) >= 1
    assert "2005-09-30" in page
    assert "Probability of default within the next month" in page
    assert "73.1%" in page
    assert "Offer a payment plan" in page
    assert "EW03_PLAN" in page and "offer a payment plan." in page
    for reason in case.details["reasons"].split("; "):
        assert reason.split(": ", 1)[1] in page
    assert "Carry out the recommended action" in page
    for words in ONBOARDING_WORDS:
        assert words not in page


def test_case_page_in_german_shows_german_reasons(
    signed_in, early_warning_case
) -> None:
    case = early_warning_case

    page = html.unescape(signed_in("renate").get(f"/console/cases/{case.id}").text)

    assert "Ratenzahlung anbieten" in page
    assert "Ausfallwahrscheinlichkeit im nächsten Monat" in page
    for reason in case.details["reasons_de"].split("; "):
        assert reason.split(": ", 1)[1] in page
    assert "Rückstand" in page
    for words in ONBOARDING_WORDS:
        assert words not in page


def test_queue_marks_the_case_as_an_early_warning_for_its_customer(
    signed_in, early_warning_case
) -> None:
    case = early_warning_case

    page = html.unescape(signed_in("rita").get("/console/queue?limit=500").text)

    row = re.search(rf"cases/{case.id}.*?</tr>", page, re.S)
    assert row, "the early-warning case is not in the queue"
    assert "early warning" in row.group(0)
    assert f"Customer {case.subject_id}" in row.group(0)
