"""Versioned model folders: save, load, list and the latest per kind and data set.

A model lives in ``<models_dir>/<version>/`` with the library's own file
(LightGBM text model, scorecard JSON) and ``meta.json``. The version reads
``<kind>-<dataset>-<YYYYmmddTHHMMSS>-<hash8>``; the hash is over the model's
content, so equal models trained twice differ only by their time stamp.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from finduo.errors import ModelError, NotFoundError
from finduo.models.base import RiskModel, read_meta
from finduo.models.lightgbm import LightGBMModel
from finduo.models.scorecard import ScorecardModel
from finduo.settings import get_settings

logger = logging.getLogger(__name__)

_KINDS: dict[str, Any] = {
    LightGBMModel.kind: LightGBMModel,
    ScorecardModel.kind: ScorecardModel,
}
KINDS: tuple[str, ...] = tuple(_KINDS)


def models_dir(base: Path | None = None) -> Path:
    return base if base is not None else get_settings().models_dir


def load_model(folder: Path | str) -> RiskModel:
    """Load a saved model from its folder (``meta.json`` names the kind)."""
    folder = Path(folder)
    meta = read_meta(folder)
    kind = meta.get("kind")
    if kind not in _KINDS:
        raise ModelError(
            f"{folder}/meta.json: kind must be one of {list(KINDS)}; got {kind!r}."
        )
    model: RiskModel = _KINDS[kind].load(folder, meta)
    return model


def save_model(model: RiskModel, base: Path | None = None) -> Path:
    """Save ``model`` into the registry as ``<models_dir>/<version>/``.

    Written to a temporary folder first and renamed, so a reader never sees
    half a model. Returns the folder.
    """
    if not model.version:
        raise ModelError("a model needs a version before it is saved.")
    root = models_dir(base)
    root.mkdir(parents=True, exist_ok=True)
    target = root / model.version
    if target.exists():
        raise ModelError(f"model {model.version} already exists in {root}.")
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".saving-"))
    try:
        model.save(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    logger.info("saved model %s", model.version)
    return target


def list_models(
    kind: str | None = None, dataset: str | None = None, base: Path | None = None
) -> list[dict[str, Any]]:
    """Metadata of the saved models (newest first), optionally filtered."""
    root = models_dir(base)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not (folder / "meta.json").is_file():
            continue
        try:
            meta = read_meta(folder)
        except ModelError:
            logger.warning("skipping unreadable model folder %s", folder)
            continue
        if kind is not None and meta.get("kind") != kind:
            continue
        if dataset is not None and meta.get("dataset") != dataset:
            continue
        found.append({**meta, "folder": str(folder)})
    found.sort(
        key=lambda m: (m.get("created_at", ""), m.get("version", "")), reverse=True
    )
    return found


def latest_model(kind: str, dataset: str, base: Path | None = None) -> RiskModel:
    """The newest saved model of ``kind`` trained on ``dataset``."""
    found = list_models(kind, dataset, base)
    if not found:
        raise NotFoundError(
            f"no {kind} model for data set {dataset!r} in {models_dir(base)}; "
            "run `finduo train` first."
        )
    return load_model(Path(found[0]["folder"]))


__all__ = ["KINDS", "latest_model", "list_models", "load_model", "save_model"]
