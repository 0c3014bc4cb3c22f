"""The model report: every section, inline plots, protected characteristics out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finduo.datasets.german import PROTECTED, load_german
from finduo.models import save_model, train_models
from finduo.reporting import write_model_report


@pytest.mark.slow
def test_model_report_has_every_section_and_inline_plots(tmp_path: Path) -> None:
    models = train_models(
        load_german(),
        "bad",
        "german-credit",
        protected=PROTECTED,
        id_columns=["application_id"],
        kinds=["scorecard"],
    )
    folder = save_model(models["scorecard"], tmp_path / "models")
    out = tmp_path / "report.html"

    result = write_model_report(folder, out, folds=3)

    html = out.read_text(encoding="utf-8")
    for heading in (
        "Intended use",
        "Data",
        "Features",
        "Protected characteristics excluded",
        "Evaluation",
        "Population stability (PSI)",
        "Fairness",
        "Known limits",
    ):
        assert f"<h2>{heading}" in html
    assert html.count("<svg") == 2  # ROC and calibration, inline
    features = re.search(r"<h2>Features</h2>(.*?)</section>", html, re.S).group(1)
    for name in PROTECTED:
        assert name not in features
        assert name in html  # named as excluded
    assert "foreign_worker" in html and "age_group" in html
    assert 0.70 < result.auc < 0.90
    assert "<script" not in html
