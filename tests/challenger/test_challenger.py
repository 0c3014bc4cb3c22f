"""Champion / challenger: reproducible assignment, split and shadow routing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from finduo.challenger import ChallengerConfig, ChampionChallenger, assign_variant
from finduo.decisions.model import Decision
from finduo.errors import ConfigError


class FakeEngine:
    def __init__(self, name: str, store: Any = None) -> None:
        self.name = name
        self.store = store

    def decide(self, application: dict[str, Any]) -> Decision:
        decision = Decision(
            decision_id=f"{self.name}-{application['application_id']}",
            application_id=application["application_id"],
            created_at=datetime.now(UTC),
            pd=0.1,
            band="B",
            outcome="approve",
            recommendation="approve",
            model_version=f"model-{self.name}",
            policy_version=f"policy-{self.name}",
            inputs_fingerprint="0" * 64,
        )
        if self.store is not None:
            self.store.record_decision(decision, dict(application), "api")
        return decision


class ListStore:
    def __init__(self) -> None:
        self.rows: list[Decision] = []

    def record_decision(
        self, decision: Decision, application: dict, actor: str, **kw: Any
    ) -> None:
        self.rows.append(decision)


@pytest.mark.parametrize("share", [0.0, 0.1, 0.5])
def test_assignment_share_is_close_to_config_and_reproducible(share: float) -> None:
    config = ChallengerConfig(share=share, salt="exp-1")
    ids = [f"APP-{i}" for i in range(20_000)]

    first = [assign_variant(a, config) for a in ids]
    again = [assign_variant(a, config) for a in reversed(ids)][::-1]

    assert first == again
    observed = first.count("challenger") / len(ids)
    assert observed == pytest.approx(share, abs=0.01)


def test_assignment_changes_with_salt() -> None:
    ids = [f"APP-{i}" for i in range(2000)]
    a = [assign_variant(x, ChallengerConfig(share=0.5, salt="a")) for x in ids]
    b = [assign_variant(x, ChallengerConfig(share=0.5, salt="b")) for x in ids]

    assert a != b


def test_split_mode_challenger_decides_its_share_and_is_recorded() -> None:
    store = ListStore()
    router = ChampionChallenger(
        FakeEngine("champ", store),
        FakeEngine("chall"),
        ChallengerConfig(share=0.3, mode="split", salt="s"),
    )
    ids = [f"APP-{i}" for i in range(500)]

    answers = [router.decide({"application_id": a}) for a in ids]

    for a, d in zip(ids, answers, strict=True):
        side = assign_variant(a, router.config)
        assert d.variant == ("challenger" if side == "challenger" else "champion")
        assert d.model_version == (
            "model-chall" if side == "challenger" else "model-champ"
        )
    assert len(store.rows) == 500
    assert {d.variant for d in store.rows} == {"champion", "challenger"}


def test_shadow_mode_never_acts_on_challenger_but_stores_it() -> None:
    store = ListStore()
    router = ChampionChallenger(
        FakeEngine("champ", store),
        FakeEngine("chall"),
        ChallengerConfig(share=1.0, mode="shadow"),
    )

    answers = [router.decide({"application_id": f"APP-{i}"}) for i in range(50)]

    assert all(d.variant == "champion" for d in answers)
    shadows = [d for d in store.rows if d.variant == "shadow"]
    assert len(shadows) == 50
    assert all(d.model_version == "model-chall" for d in shadows)


def test_challenger_engine_with_its_own_store_is_refused() -> None:
    with pytest.raises(ConfigError, match="without a store"):
        ChampionChallenger(
            FakeEngine("a", ListStore()),
            FakeEngine("b", ListStore()),
            ChallengerConfig(),
        )
