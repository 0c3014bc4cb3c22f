"""The reference sample for stability: a model's training data and its scores."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finduo.errors import ConfigError, NotFoundError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reference:
    """Training sample, the model's pd on it, and the characteristics compared."""

    model_version: str
    dataset: str
    frame: pd.DataFrame
    pd: np.ndarray
    characteristics: list[str]
    protected: list[str]
    note: str


def model_folder(store: Any, version: str | None, kind: str | None = None) -> Path:
    """Folder of ``version`` (store, then the models folder), or the active model."""
    from finduo.lifecycle.models import active_model_path
    from finduo.models.artifacts import list_models, models_dir

    if version:
        try:
            return Path(store.get_model_version(version).path)
        except NotFoundError:
            folder = models_dir() / version
            if (folder / "meta.json").is_file():
                return folder
            raise NotFoundError(
                f"model {version!r} is neither registered in the store nor saved "
                f"in {models_dir()}",
                model=version,
            ) from None
    active = active_model_path(store, kind=kind)
    if active is not None:
        return active
    # The model that decided the most recent stored decision.
    from finduo.store.analytics import latest_model_version

    recent = latest_model_version(store)
    if recent and (models_dir() / recent / "meta.json").is_file():
        return models_dir() / recent
    saved = list_models(kind=kind)
    if not saved:
        raise NotFoundError(
            "no model to monitor: none active in the store and none saved; run "
            "`finduo train` or name one with --model"
        )
    return Path(saved[0]["folder"])


def reference_for(folder: Path) -> Reference:
    """Load the model in ``folder`` and re-create its training sample.

    The sample is the registered data set the model names (``meta.dataset``);
    a model trained on a subset (e.g. the demo's 80 %) is compared against the
    whole data set, which the note says.
    """
    from finduo.datasets import get_dataset
    from finduo.models import load_model

    model = load_model(folder)
    meta: dict[str, Any] = getattr(model, "meta", {}) or {}
    dataset = str(meta.get("dataset", ""))
    try:
        info = get_dataset(dataset)
    except ConfigError as exc:
        raise ConfigError(
            f"model {model.version} was trained on {dataset!r}, which is not a "
            "registered data set: no reference sample for PSI",
            model=model.version,
        ) from exc
    frame = info.load()
    pd_ = np.asarray(model.predict_pd(model.spec.encode_frame(frame)), dtype=float)
    names = [f.name for f in model.spec.features]
    rows = meta.get("training_data", {}).get("rows")
    note = f"reference: data set {dataset} ({len(frame)} rows)" + (
        f"; the model was trained on {rows} of them"
        if rows and rows != len(frame)
        else ""
    )
    return Reference(
        model_version=model.version,
        dataset=dataset,
        frame=frame,
        pd=pd_,
        characteristics=names,
        protected=list(meta.get("protected_excluded", info.protected)),
        note=note,
    )


__all__ = ["Reference", "model_folder", "reference_for"]
