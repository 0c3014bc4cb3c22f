"""``train --from-store``: matured labels only, parcelled rejects, candidates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from finduo.datasets.german import PROTECTED, load_german
from finduo.errors import DataError
from finduo.learning.from_store import train_from_store, training_rows
from finduo.models import save_model, train_models
from finduo.outcomes import import_records
from finduo.simulation.synthetic import german_history
from finduo.store import Store


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path))
    from finduo.settings import get_settings

    get_settings.cache_clear()
    store = Store(
        f"sqlite:///{tmp_path / 'f.db'}", audit_key="k" * 32, state_dir=tmp_path
    )
    store.upgrade()
    store.create_user("ana", ["analyst"], "admin")
    hist = german_history(seed=0)[2]
    for decision, app in zip(
        hist.decisions[:600], hist.applications[:600], strict=True
    ):
        store.record_decision(decision, app, "engine", open_case=False)
    ids = {d.decision_id for d in hist.decisions[:600]}
    out = hist.outcomes[hist.outcomes["decision_id"].isin(ids)]
    import_records(
        store,
        out.assign(observed_at=out["observed_at"].astype(str)).to_dict(
            orient="records"
        ),
        "ops",
    )
    yield store
    store.close()
    get_settings.cache_clear()


@pytest.mark.slow
def test_train_from_store_registers_candidates_with_inferred_rejects(
    store: Store, tmp_path: Path
) -> None:
    base = train_models(
        load_german(),
        "bad",
        "german-credit",
        protected=PROTECTED,
        id_columns=["application_id"],
        kinds=["lightgbm"],
    )
    folder = save_model(base["lightgbm"], tmp_path / "models")
    as_of = datetime(2027, 1, 15, tzinfo=UTC)
    features = [f.name for f in base["lightgbm"].spec.features]
    known, rejects = training_rows(store, features, list(PROTECTED), as_of=as_of)

    result = train_from_store(store, "ana", model_folder=folder, as_of=as_of, folds=3)

    assert result.n_known == len(known) and result.n_rejects == len(rejects) > 0
    assert result.n_inferred == len(rejects)
    assert set(known["bad"].unique()) == {0, 1}
    for kind, version in result.versions.items():
        stored = store.get_model_version(version)
        assert stored.state == "candidate" and stored.created_by == "ana"
        source = stored.meta["training_source"]
        assert source["matured_rows"] == len(known)
        assert source["inferred_rows"] == len(rejects)
        assert stored.meta["metrics"]["population"] == "matured observed outcomes only"
        assert set(stored.meta["protected_excluded"]) == set(PROTECTED)
        assert kind in ("lightgbm", "scorecard")


def test_train_from_store_refuses_without_matured_outcomes(
    store: Store, tmp_path: Path
) -> None:
    base = train_models(
        load_german(),
        "bad",
        "german-credit",
        protected=PROTECTED,
        id_columns=["application_id"],
        kinds=["lightgbm"],
    )
    folder = save_model(base["lightgbm"], tmp_path / "models")

    with pytest.raises(DataError, match="needs at least 100 decisions"):
        train_from_store(
            store, "ana", model_folder=folder, as_of=datetime(2025, 6, 1, tzinfo=UTC)
        )


def test_simulation_with_rescoring_uses_the_new_models_pd(
    store: Store, tmp_path: Path
) -> None:
    from finduo.policy.loader import shipped_policy
    from finduo.simulation.from_store import load_columns, simulate_stored

    model = train_models(
        load_german(),
        "bad",
        "german-credit",
        protected=PROTECTED,
        id_columns=["application_id"],
        kinds=["scorecard"],
    )["scorecard"]
    policy = shipped_policy().policy
    fields = ["age_years", "credit_amount", "duration_months"]
    as_of = datetime(2027, 1, 15, tzinfo=UTC)

    stored, *_ = load_columns(store, fields, as_of=as_of)
    rescored, *_ = load_columns(store, fields, as_of=as_of, model=model)
    result = simulate_stored(store, policy, policy, as_of=as_of, model=model)

    apps = load_german().set_index("application_id")
    expected = model.predict_pd(
        model.spec.encode_frame(apps.loc[list(rescored.application_id)].reset_index())
    )
    assert rescored.pd == pytest.approx(expected)
    assert not np.allclose(stored.pd, rescored.pd)
    assert result.simulation.n == 600
