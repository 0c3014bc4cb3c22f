"""The monitoring report: stability, performance, overrides and fairness.

:func:`build_report` assembles everything from frames (so that the console,
the CLI and the model report share it); :func:`report_from_store` reads those
frames from the store. Every figure names its base: the number of decisions,
of matured outcomes, of resolved cases, and the group sizes.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from finduo.monitoring import plots
from finduo.monitoring.fairness import age_group, fairness_report
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
    vintage_curves,
)
from finduo.monitoring.psi import (
    PsiResult,
    characteristic_psi,
    mask_small,
    psi_numeric,
    psi_reading,
)
from finduo.outcomes.definition import OutcomeDefinition, label_decisions
from finduo.settings import get_settings

logger = logging.getLogger(__name__)

FAIRNESS_GROUPS = {"age_group": "age_years", "foreign_worker": "foreign_worker"}


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    out = frame.reset_index() if frame.index.name else frame
    rows = out.to_dict(orient="records")
    return [{str(k): _plain(v) for k, v in r.items()} for r in rows]


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def _by_variant(acted: pd.DataFrame) -> pd.DataFrame:
    """Champion against challenger: approval rate, bad rate and AUC, matured only."""
    rows = []
    for variant, g in acted.groupby("variant"):
        known = g[g["bad"].notna()]
        perf = discrimination(known["bad"].to_numpy(float), known["pd"].to_numpy())
        rows.append(
            {
                "variant": variant,
                "n": len(g),
                "approval_rate": float((g["final"] == "approve").mean()),
                "n_matured": len(known),
                "bad_rate": perf["bad_rate"],
                "auc": perf["auc"],
            }
        )
    return pd.DataFrame(rows)


@dataclass
class MonitoringReport:
    """Everything ``finduo monitor`` and the console's monitoring page show."""

    as_of: datetime
    n_decisions: int
    n_matured: int
    definition: dict[str, Any]
    score_psi: PsiResult | None
    characteristic_psi: pd.DataFrame
    performance: dict[str, Any]
    bands: pd.DataFrame
    calibration: pd.DataFrame
    vintages: pd.DataFrame
    overrides: dict[str, Any]
    agreement: pd.DataFrame
    blind: pd.DataFrame
    fairness: pd.DataFrame
    by_variant: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    min_psi_rows: int = 0
    min_group_size: int = 0

    def svgs(self) -> dict[str, str]:
        """Plots as inline SVG: psi, calibration, vintages, approval by group."""
        out: dict[str, str] = {}
        shown = self.characteristic_psi.dropna(subset=["psi"])
        if not shown.empty:
            out["psi"] = plots.psi_svg(shown)
        if not self.calibration.empty:
            out["calibration"] = plots.calibration_svg({"matured": self.calibration})
        if not self.vintages.empty:
            out["vintages"] = plots.vintage_svg(self.vintages)
        f = self.fairness
        if not f.empty:
            f = f[f["approval_rate"].notna()]
        if not f.empty:
            out["fairness"] = plots.bars_svg(
                [
                    f"{g}: {v} (n={n})"
                    for g, v, n in zip(f["grouping"], f["group"], f["n"], strict=True)
                ],
                list(f["approval_rate"]),
                "Approval rate by group",
                "approval rate",
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        score = None
        if self.score_psi is not None:
            value, reading = psi_reading(self.score_psi, self.min_psi_rows)
            score = {
                "psi": value,
                "status": reading,
                "n_recent": self.score_psi.n_actual,
                "table": _records(self.score_psi.table) if value is not None else [],
            }
        return {
            "as_of": self.as_of.isoformat(),
            "n_decisions": self.n_decisions,
            "n_matured": self.n_matured,
            "definition": self.definition,
            "score_psi": score,
            "characteristic_psi": _records(self.characteristic_psi),
            "performance": {k: _plain(v) for k, v in self.performance.items()},
            "bands": _records(self.bands),
            "calibration": _records(self.calibration),
            "vintages": _records(self.vintages),
            "overrides": self.overrides,
            "reviewer_agreement": _records(self.agreement),
            "blind_vs_shown": _records(self.blind),
            "fairness": _records(self.fairness),
            "by_variant": _records(self.by_variant),
            "notes": self.notes,
            "minimums": {
                "psi_recent_rows": self.min_psi_rows,
                "fairness_group_size": self.min_group_size,
            },
        }


def build_report(
    decisions: pd.DataFrame,
    outcomes: pd.DataFrame,
    resolutions: pd.DataFrame,
    *,
    reference: pd.DataFrame | None = None,
    reference_pd: np.ndarray | None = None,
    characteristics: list[str] | None = None,
    as_of: datetime | None = None,
    definition: OutcomeDefinition | None = None,
    min_psi_rows: int | None = None,
    min_group_size: int | None = None,
) -> MonitoringReport:
    """Assemble the monitoring report from frames.

    Parameters
    ----------
    decisions : DataFrame
        :func:`finduo.store.analytics.decision_frame` output, with the
        characteristics and fairness fields as columns.
    outcomes, resolutions : DataFrame
        :func:`outcome_frame` and :func:`resolution_frame` output.
    reference : DataFrame, optional
        The training sample (characteristics as columns); without it no PSI.
    reference_pd : array, optional
        The model's pd on the training sample, for the score's PSI.
    characteristics : list of str, optional
        Columns to compare; default those shared by ``reference`` and
        ``decisions`` other than ids and the target.
    as_of : datetime, optional
        Date of the analysis (default now, UTC).
    definition : OutcomeDefinition, optional
    min_psi_rows, min_group_size : int, optional
        Fewest recent rows behind a PSI figure and fewest decisions in a
        fairness group; smaller bases read ``too few (n=...)``. Default the
        settings ``monitor_min_psi_rows`` (300) and ``monitor_min_group_size``
        (100); see :mod:`finduo.monitoring.psi` and
        :mod:`finduo.monitoring.fairness` for why.
    """
    settings = get_settings()
    if min_psi_rows is None:
        min_psi_rows = settings.monitor_min_psi_rows
    if min_group_size is None:
        min_group_size = settings.monitor_min_group_size
    d = definition or OutcomeDefinition()
    as_of = as_of or datetime.now(UTC)
    notes: list[str] = []
    acted = decisions[decisions["variant"] != "shadow"].reset_index(drop=True)
    labels = label_decisions(acted, outcomes, as_of, d)
    # The final disposition: a referral counts as what the reviewer decided
    # ("refer" while the case is open).
    final = acted["outcome"].astype(object)
    if len(resolutions):
        by_decision = resolutions.drop_duplicates("decision_id", keep="last")
        resolved = acted["decision_id"].map(
            by_decision.set_index("decision_id")["resolution"]
        )
        final = resolved.where(resolved.notna(), final)
    acted = acted.assign(final=final.to_numpy())
    acted = acted.assign(
        bad=labels["bad"].to_numpy(), bad_at=labels["bad_at"].to_numpy()
    )
    matured = acted[acted["bad"].notna()]

    # -- stability ---------------------------------------------------------
    score_psi = None
    char_psi = pd.DataFrame(columns=["characteristic", "psi", "status"])
    if reference is not None and len(acted):
        if characteristics is None:
            skip = {"application_id", "bad", "decision_id"}
            characteristics = [
                c for c in reference.columns if c in acted.columns and c not in skip
            ]
        present = acted.dropna(subset=characteristics, how="all")
        if len(present) < len(acted):
            notes.append(
                f"{len(acted) - len(present)} decisions have erased application "
                "data and are left out of the characteristic PSI."
            )
        if characteristics and len(present):
            char_psi = mask_small(
                characteristic_psi(reference, present, characteristics), min_psi_rows
            )
        if len(acted) < min_psi_rows:
            notes.append(
                f"PSI needs at least {min_psi_rows} recent decisions "
                f"(FINDUO_MONITOR_MIN_PSI_ROWS); {len(acted)} are too few: below "
                "that, sampling noise alone reaches the 0.10 line."
            )
        if reference_pd is not None:
            score_psi = psi_numeric(reference_pd, acted["pd"].to_numpy(), "pd")
    else:
        notes.append("No training sample given: PSI not computed.")

    # -- performance on matured outcomes -------------------------------------
    y = matured["bad"].to_numpy(dtype=float)
    perf = discrimination(y, matured["pd"].to_numpy()) if len(matured) else {"n": 0}
    bands = band_table(y, matured["pd"].to_numpy(), matured["band"].to_numpy())
    calib = calibration_table(y, matured["pd"].to_numpy())
    approved = acted[acted["final"] == "approve"]
    vint = vintage_curves(
        approved["created_at"],
        approved["bad_at"],
        pd.Timestamp(as_of),
        d.performance_window_months,
    )
    if not len(matured):
        notes.append(
            "No matured outcomes yet: performance needs decisions older than the "
            f"{d.performance_window_months}-month window with outcome records."
        )
    # Shadow decisions were never acted on: they borrow the outcome of the
    # acted-on decision for the same application (booked by the champion).
    shadow = decisions[decisions["variant"] == "shadow"]
    acted_bad = acted.drop_duplicates("application_id", keep="last").set_index(
        "application_id"
    )["bad"]
    shadow = shadow.assign(
        bad=shadow["application_id"].map(acted_bad), final=shadow["outcome"]
    )
    by_variant = _by_variant(pd.concat([acted, shadow], ignore_index=True))

    # -- overrides and reviewers --------------------------------------------
    overrides: dict[str, Any] = {"caveat": HIGH_SIDE_CAVEAT, "n_resolved": 0}
    agreement = pd.DataFrame()
    blind = pd.DataFrame()
    if len(resolutions):
        res = resolutions.merge(
            labels.assign(decision_id=acted["decision_id"])[["decision_id", "bad"]],
            on="decision_id",
            how="left",
        )
        overrides = override_analysis(res)
        overrides["n_resolved"] = len(res)
        agreement = reviewer_agreement(res)
        blind = blind_vs_first(res)
        if blind.empty:
            notes.append(
                "No blind first judgements recorded: blind-vs-shown not shown."
            )
    else:
        notes.append("No resolved cases yet: override analysis not shown.")

    # -- fairness -------------------------------------------------------------
    fairness = pd.DataFrame()
    groups = {}
    if "age_years" in acted:
        groups["age_group"] = age_group(acted["age_years"])
    if "foreign_worker" in acted:
        groups["foreign_worker"] = acted["foreign_worker"].astype(object)
    if groups and len(acted):
        fairness = fairness_report(
            (acted["final"] == "approve").to_numpy(int),
            pd.DataFrame(groups),
            bad=acted["bad"].to_numpy(float),
            min_group=min_group_size,
        )
        small = fairness[fairness["reading"] != ""]
        if len(small):
            notes.append(
                f"Fairness: {len(small)} group(s) have fewer than {min_group_size} "
                "decisions (FINDUO_MONITOR_MIN_GROUP_SIZE) and read 'too few': "
                "their approval rate and ratio would be noise, not a finding."
            )
        notes.append(
            "Fairness: approval is the final disposition (a referral counts as "
            "the reviewer decided it; open ones as not approved); error rates use "
            "matured outcomes, which exist for approved applicants only, so "
            "good_declined_rate is empty in live operation."
        )
    return MonitoringReport(
        as_of=as_of,
        n_decisions=len(acted),
        n_matured=len(matured),
        definition=d.model_dump(),
        score_psi=score_psi,
        characteristic_psi=char_psi,
        performance=perf,
        bands=bands,
        calibration=calib,
        vintages=vint,
        overrides=overrides,
        agreement=agreement,
        blind=blind,
        fairness=fairness,
        by_variant=by_variant,
        notes=notes,
        min_psi_rows=min_psi_rows,
        min_group_size=min_group_size,
    )


def report_from_store(
    store: Any,
    *,
    reference: pd.DataFrame | None = None,
    reference_pd: np.ndarray | None = None,
    characteristics: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: datetime | None = None,
    definition: OutcomeDefinition | None = None,
    min_psi_rows: int | None = None,
    min_group_size: int | None = None,
) -> MonitoringReport:
    """:func:`build_report` on the store's decisions, outcomes and resolutions."""
    from finduo.store.analytics import decision_frame, outcome_frame, resolution_frame

    fields = sorted(
        set(
            characteristics
            or (
                [c for c in reference.columns if c not in ("bad",)]
                if reference is not None
                else []
            )
        )
        | set(FAIRNESS_GROUPS.values())
    )
    fields = [f for f in fields if f not in ("application_id", "decision_id")]
    decisions = decision_frame(store, fields=fields, since=since, until=until)
    return build_report(
        decisions,
        outcome_frame(store),
        resolution_frame(store),
        reference=reference,
        reference_pd=reference_pd,
        characteristics=characteristics,
        as_of=as_of,
        definition=definition,
        min_psi_rows=min_psi_rows,
        min_group_size=min_group_size,
    )


__all__ = ["MonitoringReport", "build_report", "report_from_store"]
