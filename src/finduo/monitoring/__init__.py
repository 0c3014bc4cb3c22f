"""Monitoring: stability (PSI), performance on matured outcomes, overrides,
reviewer agreement and fairness; plots as inline SVG for the console."""

from finduo.monitoring.fairness import (
    FOUR_FIFTHS,
    age_group,
    fairness_report,
    group_fairness,
)
from finduo.monitoring.overrides import (
    HIGH_SIDE_CAVEAT,
    blind_vs_first,
    override_analysis,
    reviewer_agreement,
)
from finduo.monitoring.performance import (
    band_table,
    calibration_table,
    discrimination,
    roc_points,
    vintage_curves,
)
from finduo.monitoring.psi import (
    PSI_MODERATE,
    PSI_SIGNIFICANT,
    PsiResult,
    characteristic_psi,
    psi_categorical,
    psi_numeric,
    psi_status,
)

__all__ = [
    "FOUR_FIFTHS",
    "HIGH_SIDE_CAVEAT",
    "PSI_MODERATE",
    "PSI_SIGNIFICANT",
    "PsiResult",
    "age_group",
    "band_table",
    "blind_vs_first",
    "calibration_table",
    "characteristic_psi",
    "discrimination",
    "fairness_report",
    "group_fairness",
    "override_analysis",
    "psi_categorical",
    "psi_numeric",
    "psi_status",
    "reviewer_agreement",
    "roc_points",
    "vintage_curves",
]
