"""What every risk model offers, and the helpers the two kinds share."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy.special import expit

from finduo.errors import ModelError
from finduo.features import FeatureSet

META_FILE = "meta.json"


@runtime_checkable
class RiskModel(Protocol):
    """A fitted model that gives a calibrated probability of default.

    ``version`` reads ``<kind>-<dataset>-<YYYYmmddTHHMMSS>-<hash8>``; ``meta``
    holds the readable metadata saved as ``meta.json``.
    """

    version: str
    kind: str
    spec: FeatureSet
    meta: dict[str, Any]

    def predict_pd(self, X: np.ndarray) -> np.ndarray:
        """Calibrated pd, shape (n,), for encoded rows X of shape (n, k)."""
        ...

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-input contributions (n, k); a positive value raises the risk."""
        ...

    def save(self, folder: Path) -> None:
        """Write the model's own file(s) and ``meta.json`` into ``folder``."""
        ...


def sigmoid(z: np.ndarray) -> np.ndarray:
    # expit saturates at 0 and 1 without overflow warnings on extreme log-odds.
    out: np.ndarray = expit(np.asarray(z, dtype=np.float64))
    return out


def check_matrix(X: np.ndarray, spec: FeatureSet) -> np.ndarray:
    """X as a float64 (n, k) array with k = the model's inputs."""
    array = np.asarray(X, dtype=np.float64)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[1] != len(spec):
        raise ModelError(
            f"X must have shape (n, {len(spec)}) in the model's feature order; "
            f"got {array.shape}."
        )
    return array


def fingerprint_frame(df: pd.DataFrame) -> str:
    """sha256 of a frame's canonical CSV text (columns sorted): the data's identity."""
    text = df.reindex(columns=sorted(map(str, df.columns))).to_csv(index=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_version(kind: str, dataset: str, content: bytes, created: datetime) -> str:
    """``<kind>-<dataset>-<YYYYmmddTHHMMSS>-<hash8>`` of the model content."""
    stamp = created.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    digest = hashlib.sha256(content).hexdigest()[:8]
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in dataset)
    return f"{kind}-{safe}-{stamp}-{digest}"


def base_meta(
    kind: str,
    dataset: str,
    spec: FeatureSet,
    seed: int,
    hyperparameters: dict[str, Any],
    protected: list[str],
    fingerprint: str,
    n_rows: int,
    bad_rate: float,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "dataset": dataset,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "hyperparameters": hyperparameters,
        "protected_excluded": list(protected),
        "training_data": {
            "sha256": fingerprint,
            "rows": n_rows,
            "bad_rate": round(bad_rate, 6),
        },
        "features": spec.to_dict()["features"],
        "metrics": {},
    }


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(meta, indent=2, sort_keys=False, ensure_ascii=False)
    (folder / META_FILE).write_text(text + "\n", encoding="utf-8")


def read_meta(folder: Path) -> dict[str, Any]:
    path = folder / META_FILE
    if not path.is_file():
        raise ModelError(f"no model in {folder}: {META_FILE} is missing.")
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}") from exc
    return meta


__all__ = [
    "META_FILE",
    "RiskModel",
    "base_meta",
    "check_matrix",
    "fingerprint_frame",
    "make_version",
    "read_meta",
    "sigmoid",
    "write_meta",
]
