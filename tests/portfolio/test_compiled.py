"""Compiled trees give LightGBM's scores and are cached by model hash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from finduo.behaviour.model import INPUTS, modelling_frame
from finduo.portfolio.compiled import StockScorer, compile_booster


def test_lleaves_scores_equal_stock_lightgbm_and_compile_once(
    tmp_path: Path, taiwan_wide: pd.DataFrame, scan_model
) -> None:
    X = scan_model.spec.encode_frame(modelling_frame(taiwan_wide)[list(INPUTS)])
    text = scan_model.booster.model_to_string()

    compiled = compile_booster(text, tmp_path, threads=2)
    cached = sorted(p.name for p in tmp_path.iterdir())
    again = compile_booster(text, tmp_path, threads=1)

    stock = StockScorer(scan_model.booster, threads=1).raw_score(X)
    np.testing.assert_allclose(compiled.raw_score(X), stock, rtol=0, atol=1e-9)
    np.testing.assert_allclose(again.raw_score(X), stock, rtol=0, atol=1e-9)
    assert len([n for n in cached if n.endswith(".so")]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == cached
