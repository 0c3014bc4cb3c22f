"""Compiled trees: the same LightGBM model as native code (lleaves), cached.

Compiling a model with lleaves takes from seconds to minutes, so the shared
object is cached under ``FINDUO_STATE_DIR/compiled/`` keyed by the sha256 of
the model's own text: the same model is compiled once per machine. The
compiled model gives the raw score (log-odds before calibration); the
calibration is applied by the caller exactly as for the stock booster.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Protocol

import numpy as np

from finduo.errors import ModelError

logger = logging.getLogger(__name__)


class RawScorer(Protocol):
    name: str

    def raw_score(self, X: np.ndarray) -> np.ndarray: ...


class StockScorer:
    """LightGBM's own predict (the reference)."""

    name = "lightgbm"

    def __init__(self, booster: object, threads: int = 0) -> None:
        self.booster = booster
        self.threads = threads

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(
            self.booster.predict(X, raw_score=True, num_threads=self.threads)  # type: ignore[attr-defined]
        )


class CompiledScorer:
    """lleaves-compiled trees; ``raw_score`` equals the booster's to ~1e-12."""

    name = "lleaves"

    def __init__(self, compiled: object, threads: int | None = None) -> None:
        self.compiled = compiled
        self.threads = threads or len(os.sched_getaffinity(0))

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.compiled.predict(X, n_jobs=self.threads))  # type: ignore[attr-defined]


def model_hash(model_text: str) -> str:
    return hashlib.sha256(model_text.encode("utf-8")).hexdigest()


def compile_booster(
    model_text: str, cache_dir: Path, threads: int | None = None
) -> CompiledScorer:
    """Compile (or load from the cache) the LightGBM model given as its text.

    Parameters
    ----------
    model_text : str
        ``booster.model_to_string()``.
    cache_dir : pathlib.Path
        Folder of compiled models (created if needed).
    threads : int, optional
        Threads used by predict; default all cores this process may use.
    """
    try:
        import lleaves
    except ImportError as exc:  # pragma: no cover - lleaves is a dependency
        raise ModelError("lleaves is not installed; use --scorer lightgbm") from exc
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = model_hash(model_text)[:24]
    text_file = cache_dir / f"{digest}.txt"
    shared = cache_dir / f"{digest}.so"
    if not text_file.is_file():
        tmp = text_file.with_suffix(".txt.tmp")
        tmp.write_text(model_text, encoding="utf-8")
        os.replace(tmp, text_file)
    compiled = lleaves.Model(model_file=str(text_file))
    started = time.perf_counter()
    cached = shared.is_file()
    compiled.compile(cache=str(shared), raw_score=True)
    logger.info(
        "compiled model %s %s in %.1fs",
        digest[:12],
        "loaded from cache" if cached else "built",
        time.perf_counter() - started,
    )
    return CompiledScorer(compiled, threads)


__all__ = [
    "CompiledScorer",
    "RawScorer",
    "StockScorer",
    "compile_booster",
    "model_hash",
]
