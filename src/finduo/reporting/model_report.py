"""``finduo report MODEL_VERSION``: the model's documentation as one HTML file.

What a high-risk AI system's technical documentation asks for, on the model
at hand: the data it learnt from, the features and the protected
characteristics kept out, an honest evaluation (out-of-fold, never on the
training rows), ROC and calibration plots, stability against recent
decisions, fairness, known limits and the intended use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finduo.monitoring import plots
from finduo.monitoring.fairness import age_group, fairness_report
from finduo.monitoring.performance import calibration_table, discrimination, roc_points
from finduo.monitoring.psi import (
    characteristic_psi,
    mask_small,
    psi_numeric,
    psi_reading,
)
from finduo.reporting.html import page, section, table
from finduo.settings import get_settings

logger = logging.getLogger(__name__)

INTENDED_USE = (
    "Decision support for onboarding credit applications: the model estimates "
    "the probability of default (pd) of an applicant; the policy turns it into "
    "approve, refer or decline with terms and reasons. Applications in the grey "
    "zone, with unseen or out-of-range values, or drawn for quality control go "
    "to a person, who decides and may override. Not intended for decisions "
    "about existing customers, for populations unlike the training data, or "
    "for any use without the review queue and monitoring."
)

KNOWN_LIMITS = [
    "Small, old training data: Statlog German credit has 1,000 applications "
    "from the 1970s; figures carry wide uncertainty (see the standard deviations).",
    "The codebook of German credit mislabels some codes; finduo adopts the "
    "corrections of Grömping (2019) where the bad rates agree, and keeps neutral "
    "labels elsewhere (see the data loader).",
    "Selection bias: a model retrained on its own approvals sees outcomes only "
    "of approved applicants; reject inference is offered and measured, not "
    "assumed to help.",
    "Protected characteristics are excluded as inputs, but other inputs may act "
    "as proxies (age is an input and is monitored as a group).",
    "Calibration is fitted on the training data's folds; it drifts when the "
    "population shifts, which the PSI and calibration monitoring watch for.",
]


@dataclass(frozen=True)
class ModelReport:
    path: Path
    model_version: str
    auc: float | None
    sections: int


def _fairness_backtest(
    frame: pd.DataFrame, oof: np.ndarray, y: np.ndarray, cutoff: float
) -> pd.DataFrame:
    groups: dict[str, Any] = {}
    if "age_years" in frame:
        groups["age_group"] = age_group(frame["age_years"]).to_numpy()
    if "foreign_worker" in frame:
        groups["foreign_worker"] = frame["foreign_worker"].astype(str).to_numpy()
    if not groups:
        return pd.DataFrame()
    return fairness_report((oof < cutoff).astype(int), pd.DataFrame(groups), bad=y)


def write_model_report(
    folder: Path,
    out: Path,
    *,
    store: Any = None,
    folds: int = 5,
    cutoff: float | None = None,
) -> ModelReport:
    """Write the HTML report of the model saved in ``folder`` to ``out``.

    Parameters
    ----------
    folder : Path
        The model's artifact folder.
    out : Path
        HTML file to write.
    store : Store, optional
        For stability against this model's stored decisions.
    folds : int, default 5
        Folds of the out-of-fold predictions behind the plots (the headline
        figures are the model's own repeated cross-validation, from meta.json).
    cutoff : float, optional
        Approve below this pd in the fairness back-test; default the data
        set's Bayes cut-off.
    """
    from finduo.datasets import get_dataset
    from finduo.evaluation import cross_validate
    from finduo.models import load_model

    model = load_model(folder)
    meta: dict[str, Any] = dict(getattr(model, "meta", {}) or {})
    info = get_dataset(str(meta.get("dataset")))
    frame = info.load()
    protected = list(meta.get("protected_excluded", info.protected))
    ids = [info.id_column] if info.id_column else []
    evaluation = cross_validate(
        frame,
        info.target,
        info.name,
        protected=protected,
        id_columns=[*ids, *info.extra_ids],
        cost_bad_accepted=info.cost_bad_accepted,
        cost_good_declined=info.cost_good_declined,
        folds=folds,
        repeats=1,
        seed=int(meta.get("seed", 0)),
        kinds=[model.kind, "baseline"],
    )
    y = evaluation.y
    oof = evaluation.oof_pd[model.kind]
    base = evaluation.oof_pd["baseline"]
    cut = cutoff if cutoff is not None else info.bayes_cutoff
    perf = discrimination(y, oof)

    features = pd.DataFrame(meta.get("features", []))
    feature_cols = [c for c in ("name", "kind", "min", "max") if c in features]
    training = meta.get("training_data", {})
    metrics = meta.get("metrics", {})
    sections = [
        section("Intended use", [INTENDED_USE]),
        section(
            "Data",
            [
                f"Data set {info.name}: {training.get('rows', len(frame))} training "
                f"rows, bad rate {training.get('bad_rate', float(y.mean())):.3f}; "
                f"training data sha256 {training.get('sha256', 'n/a')}.",
                f"Cost matrix: a bad approved costs {info.cost_bad_accepted:g}, a "
                f"good declined {info.cost_good_declined:g}; Bayes cut-off pd "
                f"{info.bayes_cutoff:.4f}.",
            ],
        ),
        section(
            "Features",
            [f"{len(features)} inputs in model order."],
            [table(features[feature_cols] if feature_cols else features)],
        ),
        section(
            "Protected characteristics excluded",
            [
                "Never model inputs, never reasons; kept only for fairness "
                f"monitoring: {', '.join(protected) or 'none named'}."
            ],
        ),
        section(
            "Evaluation",
            [
                f"Model {model.version} ({model.kind}). Headline: repeated "
                f"stratified cross-validation recorded at training "
                f"({metrics.get('folds', '?')} folds x {metrics.get('repeats', '?')}"
                " repeats; every fit, binning, calibration and cut-off inside the "
                "training folds).",
                f"Plots: {folds}-fold out-of-fold predictions of the same recipe "
                f"(AUC {perf['auc']:.4f}, KS {perf['ks']:.4f}) against the one-hot "
                "logistic baseline. No figure here is computed on training rows.",
            ],
            [
                table([{"source": "training CV", **metrics}]),
                table(
                    [{"model": k, **v} for k, v in evaluation.models.items()],
                    f"{folds}-fold out-of-fold",
                ),
            ],
            [
                plots.roc_svg(
                    {model.kind: roc_points(y, oof), "baseline": roc_points(y, base)}
                ),
                plots.calibration_svg(
                    {
                        model.kind: calibration_table(y, oof),
                        "baseline": calibration_table(y, base),
                    }
                ),
            ],
        ),
    ]

    psi_tables: list[Any] = []
    psi_figs: list[str] = []
    psi_notes: list[str] = []
    if store is not None:
        from finduo.store.analytics import decision_frame

        names = [f.name for f in model.spec.features]
        recent = decision_frame(store, fields=names, variants=("champion",))
        recent = recent[(recent["model_version"] == model.version) & ~recent["erased"]]
        if len(recent):
            score = psi_numeric(
                model.predict_pd(model.spec.encode_frame(frame)),
                recent["pd"].to_numpy(),
                "pd",
            )
            least = get_settings().monitor_min_psi_rows
            chars = mask_small(characteristic_psi(frame, recent, names), least)
            value, reading = psi_reading(score, least)
            psi_tables = [
                table(
                    [
                        {
                            "variable": "score (pd)",
                            "psi": value,
                            "status": reading,
                        }
                    ]
                ),
                table(chars),
            ]
            shown = chars.dropna(subset=["psi"])
            psi_figs = [plots.psi_svg(shown)] if len(shown) else []
        else:
            psi_notes.append("No stored decisions of this model yet: no PSI.")
    else:
        psi_notes.append("No store given: PSI against recent decisions not computed.")
    sections.append(
        section(
            "Population stability (PSI)",
            [
                "Training sample against this model's stored decisions; 0.10 "
                "watch, 0.25 significant shift."
            ],
            psi_tables,
            psi_figs,
            psi_notes,
        )
    )
    fair = _fairness_backtest(frame, oof, y, cut)
    sections.append(
        section(
            "Fairness (back-test on out-of-fold predictions)",
            [
                f"Approve when pd < {cut:.4f}. Approval-rate ratio to the best group "
                "below 0.8 is flagged; group sizes shown (some groups are small)."
            ],
            [table(fair)] if len(fair) else [],
            notes=[] if len(fair) else ["No age or foreign-worker field in the data."],
        )
    )
    sections.append(section("Known limits", KNOWN_LIMITS))
    html = page(
        f"Model report · {model.version}",
        sections,
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    logger.info("model report of %s written to %s", model.version, out)
    return ModelReport(out, model.version, perf["auc"], len(sections))


__all__ = ["INTENDED_USE", "KNOWN_LIMITS", "ModelReport", "write_model_report"]
