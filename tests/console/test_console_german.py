"""The German console translates what finduo words itself (outcomes, statuses,
referral reasons, audit summaries, roles) and shows the applicant's values as
the data they are."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from console_support import PASSWORD

from finduo.console.labels import referral_label
from finduo.features import FeatureSpec

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _flags() -> list[str]:
    """Referral reasons exactly as the features write them."""
    number = FeatureSpec("duration_months", "numeric", min=4, max=60)
    category = FeatureSpec(
        "checking_account", "categorical", categories=["no checking account"]
    )
    flags = [
        number.flag(72),
        number.flag(2),
        number.flag("zwölf"),
        number.flag(None),
        category.flag("bitcoin wallet"),
        category.flag(None),
    ]
    assert all(flags), flags
    return [str(f) for f in flags]


@pytest.mark.parametrize("flag", _flags())
def test_every_feature_referral_reason_is_worded_in_both_languages(flag: str) -> None:
    german = referral_label(flag, "de")
    english = referral_label(flag, "en")

    assert german != flag and english != flag
    assert german.startswith(("Laufzeit (Monate): ", "Girokonto: "))
    assert english.startswith(("Duration (months): ", "Checking account: "))
    for data in re.findall(r"'[^']*'|\b\d+\.\.\d+\b|\b72\b", flag):
        assert data in german and data in english  # values stay as given


def test_out_of_range_reason_reads_in_german() -> None:
    flag = FeatureSpec("duration_months", "numeric", min=4, max=60).flag(72)

    assert referral_label(str(flag), "de") == (
        "Laufzeit (Monate): 72, oberhalb des Trainingsbereichs 4..60"
    )


def _get(console: Any, name: str, *paths: str) -> list[str]:
    with httpx.Client(base_url=console.base, timeout=60) as client:
        token = CSRF.search(client.get("/console/sign-in").text)
        assert token
        client.post(
            "/console/sign-in",
            data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        return [client.get(path).text for path in paths]


def test_german_pages_word_product_terms_in_german_and_keep_data_as_given(
    console: Any,
) -> None:
    ranged = next(
        c
        for c in console.store.list_cases()
        if any("training range" in r for r in c.referral_reasons)
    )
    decision = console.store.get_decision(str(ranged.decision_id))
    application = console.store.get_case(ranged.id).application or {}

    queue, case, page = _get(
        console,
        "renate",
        "/console/queue",
        f"/console/cases/{ranged.id}",
        f"/console/decisions/{decision.decision_id}",
    )

    shown = re.sub(r"<[^>]+>", " ", queue + case)  # the text, not attributes
    assert "oberhalb des Trainingsbereichs" in queue
    assert "training range" not in shown
    assert "(Prüfer)" in case
    assert "Werte wie im Antrag angegeben: Daten, nicht übersetzt." in case
    checking = str(application["checking_account"])
    assert f'<dd translate="no">{checking}</dd>' in case.replace("&gt;", ">").replace(
        "&lt;", "<"
    )
    assert "Ergebnis: prüfen" in page and "Empfehlung: " in page
    assert "outcome=" not in page and "recommendation=" not in page
    assert "Entscheidung " + decision.decision_id[:8] in page


def test_monitoring_names_characteristics_in_german(
    console: Any, trained: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finduo.identity.passwords import hash_password
    from finduo.models import save_model
    from finduo.settings import get_settings

    # Monitoring finds the model that decided in the settings' model folder.
    monkeypatch.setenv("FINDUO_STATE_DIR", str(console.settings.state_dir))
    get_settings.cache_clear()
    save_model(trained.model, console.settings.state_dir / "models")
    console.store.create_user(
        "doris",
        ["analyst"],
        "test",
        password_hash=hash_password(PASSWORD),
        language="de",
    )
    try:
        (page,) = _get(console, "doris", "/console/monitoring")
    finally:
        get_settings.cache_clear()

    table = re.search(r'<table id="psi-table">.*?</table>', page, re.S)
    assert table is not None
    assert "Girokonto" in table.group(0) and "(checking_account)" in table.group(0)
    fairness = re.search(r'<table id="fairness-table">.*?</table>', page, re.S)
    assert fairness is not None and "Altersgruppe" in fairness.group(0)
