"""The engine on real German credit: one application or a batch, same decision."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from finduo.decisions.engine import Engine, inputs_fingerprint
from finduo.decisions.validation import InvalidApplication
from finduo.errors import ConfigError
from finduo.policy import parse_policy, shipped_policy
from finduo.store import CaseFilter, Store

_STABLE = (
    "application_id",
    "pd",
    "band",
    "outcome",
    "recommendation",
    "terms",
    "reasons",
    "referral_reasons",
    "rules_fired",
    "model_version",
    "policy_version",
    "inputs_fingerprint",
)


def _key(decision: Any) -> dict[str, Any]:
    return {k: v for k, v in decision.model_dump().items() if k in _STABLE}


@pytest.mark.parametrize("kind", ["lightgbm", "scorecard"])
def test_single_application_equals_its_row_in_the_batch(
    german_models: dict[str, Any], held_out: pd.DataFrame, kind: str
) -> None:
    engine = Engine(german_models[kind], shipped_policy())

    batch = engine.decide_many(held_out)
    single = [engine.decide(row) for row in held_out.to_dict(orient="records")]

    assert [_key(d) for d in batch] == [_key(d) for d in single]
    assert [d.score_points for d in batch] == [d.score_points for d in single]
    assert all((d.score_points is not None) == (kind == "scorecard") for d in batch)
    assert {d.outcome for d in batch} == {"approve", "refer", "decline"}


def test_shuffled_batch_gives_the_same_decision_per_application(
    german_models: dict[str, Any], held_out: pd.DataFrame
) -> None:
    engine = Engine(german_models["lightgbm"], shipped_policy())
    shuffled = held_out.sample(frac=1.0, random_state=7)
    halves = [shuffled.iloc[: len(shuffled) // 2], shuffled.iloc[len(shuffled) // 2 :]]

    first = {d.application_id: _key(d) for d in engine.decide_many(held_out)}
    again = {d.application_id: _key(d) for d in engine.decide_many(shuffled)}
    split = {
        d.application_id: _key(d) for half in halves for d in engine.decide_many(half)
    }

    assert first == again == split
    sampled = [
        k for k, v in first.items() if v["referral_reasons"] == ["quality_sample"]
    ]
    assert all(split[k]["outcome"] == "refer" for k in sampled)


def test_refer_and_decline_carry_up_to_four_reasons_never_protected(
    german_models: dict[str, Any], held_out: pd.DataFrame
) -> None:
    engine = Engine(german_models["lightgbm"], shipped_policy())

    decisions = engine.decide_many(held_out)

    for d in decisions:
        if d.outcome == "approve":
            assert d.terms is not None and d.reasons == []
            continue
        assert 1 <= len(d.reasons) <= 4
        model_reasons = d.reasons[1:] if "R01_UNDERAGE" in d.rules_fired else d.reasons
        assert all(r.contribution > 0 for r in model_reasons)
        assert not {r.feature for r in d.reasons} & {
            "personal_status_sex",
            "foreign_worker",
        }
        assert d.terms is None


def test_recommendation_follows_the_decline_cutoff(
    german_models: dict[str, Any], held_out: pd.DataFrame
) -> None:
    loaded = shipped_policy()
    engine = Engine(german_models["lightgbm"], loaded)
    cut = loaded.policy.cutoffs

    decisions = engine.decide_many(held_out)

    for d in decisions:
        by_rules = any(r == "R01_UNDERAGE" for r in d.rules_fired)
        expected = "decline" if d.pd >= cut.decline_cutoff or by_rules else "approve"
        assert d.recommendation == expected
        if d.outcome == "approve":
            assert d.pd < cut.approve_below
        if d.outcome == "decline" and not d.rules_fired:
            assert d.pd >= cut.decline_from


def test_minor_is_declined_by_rule_and_unseen_value_is_referred(
    german_models: dict[str, Any], held_out: pd.DataFrame
) -> None:
    engine = Engine(german_models["lightgbm"], shipped_policy())
    row = held_out.to_dict(orient="records")[0]

    minor = engine.decide({**row, "age_years": 16})
    unseen = engine.decide({**row, "purpose": "space travel"})

    assert minor.outcome == "decline"
    assert minor.rules_fired == ["R01_UNDERAGE"]
    assert minor.reasons[0].code == "AGE_UNDER_18"
    assert minor.reasons[0].text["de"] == "Antragsteller unter 18 Jahren"
    assert 2 <= len(minor.reasons) <= 4
    assert unseen.outcome == "refer"
    assert any("space travel" in r for r in unseen.referral_reasons)


def test_invalid_application_is_refused_with_its_fields(
    german_models: dict[str, Any], held_out: pd.DataFrame
) -> None:
    engine = Engine(german_models["lightgbm"], shipped_policy())
    row = held_out.to_dict(orient="records")[0]

    with pytest.raises(
        InvalidApplication, match=r"duration_months: .*less than or equal to 120"
    ):
        engine.decide({**row, "duration_months": 500})


def test_fingerprint_is_canonical_json_sha256() -> None:
    a = inputs_fingerprint({"b": 1, "a": "x"})

    assert a == inputs_fingerprint({"a": "x", "b": 1})
    assert a != inputs_fingerprint({"a": "x", "b": 2})
    assert len(a) == 64


def test_model_with_a_protected_input_is_refused(
    german_models: dict[str, Any],
) -> None:
    text = shipped_policy().text.replace(
        "protected: [personal_status_sex, foreign_worker]",
        "protected: [personal_status_sex, foreign_worker, job]",
    )

    with pytest.raises(
        ConfigError, match=r"uses protected characteristic\(s\) \['job'\]"
    ):
        Engine(german_models["lightgbm"], parse_policy(text))


def test_store_records_every_decision_and_the_stop_switch_refers_all(
    german_models: dict[str, Any], held_out: pd.DataFrame, store: Store
) -> None:
    """On SQLite and on PostgreSQL (the shared ``store`` fixture)."""
    engine = Engine(german_models["lightgbm"], shipped_policy(), store, actor="t")
    rows = held_out.head(20)
    single = held_out.iloc[20].to_dict()

    before = engine.decide_many(rows)
    store.set_stop_switch(True, "admin")
    after = engine.decide_many(rows)
    one = engine.decide(single)

    assert all(d.outcome == "refer" for d in [*after, one])
    assert all(d.referral_reasons[0] == "stop_switch" for d in [*after, one])
    stored = store.get_stored_decision(before[0].decision_id)
    assert stored.decision.inputs_fingerprint == before[0].inputs_fingerprint
    assert stored.decision.pd == pytest.approx(before[0].pd)
    assert stored.actor == "t"
    assert stored.application is not None
    assert stored.application["application_id"] == before[0].application_id
    refers = sum(d.outcome == "refer" for d in before) + len(after) + 1
    assert len(store.list_cases(CaseFilter(limit=1000))) == refers
    assert [v.version_label for v in store.list_policy_versions()] == [
        shipped_policy().version
    ]
    assert store.audit_verify().ok


def test_one_info_line_per_decision_without_personal_data(
    german_models: dict[str, Any],
    held_out: pd.DataFrame,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = Engine(german_models["lightgbm"], shipped_policy())
    rows = held_out.head(5)

    with caplog.at_level("INFO", logger="finduo.decisions.engine"):
        decisions = engine.decide_many(rows)

    lines = [
        r.getMessage() for r in caplog.records if r.name == "finduo.decisions.engine"
    ]
    pattern = re.compile(
        r"decision (\w+) application (\S+) model (\S+) policy (\S+) "
        r"outcome (\w+) (\d+\.\d+) ms"
    )
    assert len(lines) == len(decisions) == len(rows)
    for line, d in zip(lines, decisions, strict=True):
        found = pattern.fullmatch(line)
        assert found is not None, line  # nothing but ids, versions, outcome, ms
        assert found.groups()[:5] == (
            d.decision_id,
            d.application_id,
            d.model_version,
            d.policy_version,
            d.outcome,
        )
