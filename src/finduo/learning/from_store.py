"""``finduo train --from-store``: retrain from stored decisions with matured outcomes.

Labels come only from outcomes: a decision enters as good or bad once its
performance window has passed and outcome records exist (a referral a person
approved counts like any approval, since its outcome is observed). Decisions
whose final disposition was decline have no outcome: with reject inference
(default: parcelling, which yields plain labels any trainer accepts) they
enter with inferred labels, marked as such in the model's metadata;
without it they are left out and the model learns from approvals only.

The new models are registered as **candidates**; activating one needs a
second user's approval (:mod:`finduo.lifecycle.models`). Their recorded
cross-validation is on the matured, observed rows only — inferred labels are
never used to score a model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from finduo.errors import DataError
from finduo.learning.reject_inference import parcel
from finduo.outcomes.definition import OutcomeDefinition, label_decisions

logger = logging.getLogger(__name__)

RejectInference = Literal["parcelling", "none"]
MIN_ROWS = 100


@dataclass(frozen=True)
class StoreTraining:
    """What ``train --from-store`` produced."""

    n_known: int
    n_bad: int
    n_rejects: int
    n_inferred: int
    method: str
    evaluation: dict[str, dict[str, float]]
    folders: dict[str, Path]
    versions: dict[str, str]


def training_rows(
    store: Any,
    features: list[str],
    protected: list[str],
    *,
    as_of: datetime,
    definition: OutcomeDefinition | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(matured rows with ``bad``, rejects without outcome) from the store."""
    from finduo.simulation.from_store import ACTED_ON
    from finduo.store.analytics import decision_frame, outcome_frame, resolution_frame

    fields = [*features, *[p for p in protected if p not in features]]
    frame = decision_frame(store, fields=fields, variants=ACTED_ON)
    frame = frame[~frame["erased"]].reset_index(drop=True)
    labels = label_decisions(frame, outcome_frame(store), as_of, definition)
    frame["bad"] = labels["bad"].to_numpy()
    final = frame["outcome"].astype(object)
    res = resolution_frame(store)
    if len(res):
        by_id = res.drop_duplicates("decision_id", keep="last").set_index(
            "decision_id"
        )["resolution"]
        resolved = frame["decision_id"].map(by_id)
        final = resolved.where(resolved.notna(), final)
    keep = ["application_id", *fields]
    known = frame[frame["bad"].notna()][[*keep, "bad"]].reset_index(drop=True)
    known["bad"] = known["bad"].astype("int64")
    rejects = frame[(final == "decline") & frame["bad"].isna()][keep]
    return known, rejects.reset_index(drop=True)


def train_from_store(
    store: Any,
    actor: str,
    *,
    model_folder: Path | None = None,
    as_of: datetime | None = None,
    reject_inference: RejectInference = "parcelling",
    definition: OutcomeDefinition | None = None,
    folds: int = 5,
    seed: int = 0,
    register: bool = True,
) -> StoreTraining:
    """Retrain both model kinds from the store; register them as candidates.

    Parameters
    ----------
    store : Store
    actor : str
        Who trains (registers the candidates; cannot approve them).
    model_folder : Path, optional
        Model whose inputs and protected characteristics to reuse; default
        the model that decided most recently (see ``finduo monitor``).
    as_of : datetime, optional
        Maturity date (default now).
    reject_inference : "parcelling" or "none"
    folds : int
        Folds of the cross-validation recorded with the candidates.
    """
    from finduo.evaluation import cross_validate
    from finduo.lifecycle.models import register_candidate
    from finduo.models import load_model, save_model, train_models
    from finduo.monitoring.reference import model_folder as find_model

    as_of = as_of or datetime.now(UTC)
    base = load_model(model_folder or find_model(store, None))
    meta: dict[str, Any] = dict(getattr(base, "meta", {}) or {})
    features = [f.name for f in base.spec.features]
    protected = list(meta.get("protected_excluded", []))
    dataset = f"store-{meta.get('dataset', 'unknown')}"
    known, rejects = training_rows(
        store, features, protected, as_of=as_of, definition=definition
    )
    n_bad = int(known["bad"].sum()) if len(known) else 0
    if len(known) < MIN_ROWS or n_bad < 10 or n_bad == len(known):
        raise DataError(
            f"training from the store needs at least {MIN_ROWS} decisions with "
            f"matured outcomes and 10 of each class; found {len(known)} with "
            f"{n_bad} bad (as of {as_of.date()})."
        )
    ids = ["application_id"]
    cv = cross_validate(
        known,
        "bad",
        dataset,
        protected=protected,
        id_columns=ids,
        folds=folds,
        repeats=1,
        seed=seed,
    )
    train = known.assign(inferred=0)
    n_inferred = 0
    if reject_inference == "parcelling" and len(rejects):
        first = train_models(
            known,
            "bad",
            dataset,
            protected=protected,
            seed=seed,
            id_columns=ids,
            kinds=["lightgbm"],
        )["lightgbm"]
        p_known = first.predict_pd(first.spec.encode_frame(known))
        p_rej = first.predict_pd(first.spec.encode_frame(rejects))
        inferred = parcel(p_known, known["bad"].to_numpy(), p_rej, seed=seed)
        train = pd.concat(
            [train, rejects.assign(bad=inferred, inferred=1)], ignore_index=True
        )
        n_inferred = len(rejects)
    models = train_models(
        train.drop(columns=["inferred"]),
        "bad",
        dataset,
        protected=protected,
        seed=seed,
        id_columns=ids,
        metrics={
            k: {
                **v,
                "folds": folds,
                "repeats": 1,
                "population": "matured observed outcomes only",
            }
            for k, v in cv.models.items()
        },
    )
    folders: dict[str, Path] = {}
    versions: dict[str, str] = {}
    for kind, model in models.items():
        model.meta = {
            **model.meta,
            "training_source": {
                "store": True,
                "as_of": as_of.isoformat(),
                "matured_rows": len(known),
                "bad_rows": n_bad,
                "rejects": len(rejects),
                "reject_inference": reject_inference,
                "inferred_rows": n_inferred,
                "inferred_bad_rate": float(
                    train.loc[train["inferred"] == 1, "bad"].mean()
                )
                if n_inferred
                else None,
                "based_on": base.version,
            },
        }
        folder = save_model(model)
        folders[kind], versions[kind] = folder, model.version
        if register:
            register_candidate(store, actor, folder, evaluation=cv.models.get(kind))
    logger.info(
        "trained from the store: %d matured, %d inferred", len(known), n_inferred
    )
    return StoreTraining(
        len(known),
        n_bad,
        len(rejects),
        n_inferred,
        reject_inference,
        dict(cv.models),
        folders,
        versions,
    )


__all__ = ["MIN_ROWS", "StoreTraining", "train_from_store", "training_rows"]
