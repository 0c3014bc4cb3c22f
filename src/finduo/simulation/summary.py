"""What-if figures of a replayed policy against the active one.

For the proposed policy: approval, referral and decline rates; by band the
counts, the expected bad rate among approvals (mean stored ``pd``), the
observed bad rate where matured outcomes exist, and the expected loss
(``pd x exposure x LGD``, exposure = the credit limit the band's terms grant).

Swap sets against the active policy, replayed on the same stored scores:

* **swap-ins**: approved by the proposed policy, not by the active one. The
  active policy did not approve them, so *their outcome is not observed*:
  only the expected bad rate (from ``pd``) can be shown.
* **swap-outs**: approved by the active policy, no longer by the proposed
  one; where matured outcomes exist their observed bad rate is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from finduo.policy.schema import Policy
from finduo.simulation.replay import (
    APPROVE,
    DECLINE,
    OUTCOMES,
    REFER,
    DecisionColumns,
    Replay,
    replay_policy,
)

SWAP_IN_NOTE = (
    "Swap-ins were not approved under the active policy, so they have no "
    "observed outcome; their bad rate is the expected one (mean pd) only."
)


@dataclass(frozen=True)
class SwapSet:
    """Decisions whose approval changes between the two policies."""

    kind: str  # "swap-in" | "swap-out"
    decision_ids: npt.NDArray[Any]
    n: int
    expected_bad_rate: float | None
    n_observed: int
    observed_bad_rate: float | None
    note: str = ""

    def as_dict(self, max_ids: int = 20) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "n": self.n,
            "expected_bad_rate": self.expected_bad_rate,
            "n_observed": self.n_observed,
            "observed_bad_rate": self.observed_bad_rate,
            "note": self.note,
            "decision_ids_sample": [str(x) for x in self.decision_ids[:max_ids]],
        }


@dataclass(frozen=True)
class Simulation:
    """Result of :func:`simulate`."""

    n: int
    proposed: str
    active: str | None
    rates: dict[str, dict[str, float]]  # policy label -> outcome -> rate
    bands: pd.DataFrame
    swap_in: SwapSet | None
    swap_out: SwapSet | None
    lgd: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "proposed": self.proposed,
            "active": self.active,
            "lgd": self.lgd,
            "rates": self.rates,
            "bands": self.bands.to_dict(orient="records"),
            "swap_in": self.swap_in.as_dict() if self.swap_in else None,
            "swap_out": self.swap_out.as_dict() if self.swap_out else None,
        }


def outcome_rates(replay: Replay) -> dict[str, float]:
    """Share of approve, refer and decline (they sum to 1)."""
    counts = np.bincount(replay.outcome, minlength=3)
    total = max(int(counts.sum()), 1)
    return {name: float(counts[i] / total) for i, name in enumerate(OUTCOMES)}


def band_figures(replay: Replay, cols: DecisionColumns, lgd: float) -> pd.DataFrame:
    """Counts, expected and observed bad rate and expected loss by band.

    Returns one row per band of the policy (empty bands included), plus a
    final ``all`` row.
    """
    k = len(replay.band_names)
    b = replay.band
    appr = replay.outcome == APPROVE
    known = appr & ~np.isnan(cols.bad)

    def per_band(mask: npt.NDArray[np.bool_], weights: Any = None) -> Any:
        return np.bincount(
            b[mask], weights=None if weights is None else weights[mask], minlength=k
        )

    n = np.bincount(b, minlength=k)
    n_appr = per_band(appr)
    pd_sum = per_band(appr, cols.pd)
    n_obs = per_band(known)
    bad_sum = per_band(known, np.nan_to_num(cols.bad))
    loss = per_band(appr, cols.pd * replay.exposure * lgd)
    frame = pd.DataFrame(
        {
            "band": list(replay.band_names),
            "n": n,
            "approve": n_appr,
            "refer": per_band(replay.outcome == REFER),
            "decline": per_band(replay.outcome == DECLINE),
            "exposure": per_band(appr, replay.exposure),
            "expected_loss": loss,
            "_pd_sum": pd_sum,
            "n_observed": n_obs,
            "_bad_sum": bad_sum,
        }
    )
    total = frame.drop(columns="band").sum().to_frame().T
    total.insert(0, "band", "all")
    frame = pd.concat([frame, total], ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["expected_bad_rate"] = np.where(
            frame["approve"] > 0, frame["_pd_sum"] / frame["approve"], np.nan
        )
        frame["observed_bad_rate"] = np.where(
            frame["n_observed"] > 0, frame["_bad_sum"] / frame["n_observed"], np.nan
        )
    for c in ("n", "approve", "refer", "decline", "n_observed"):
        frame[c] = frame[c].astype(int)
    return frame.drop(columns=["_pd_sum", "_bad_sum"])[
        [
            "band",
            "n",
            "approve",
            "refer",
            "decline",
            "expected_bad_rate",
            "n_observed",
            "observed_bad_rate",
            "exposure",
            "expected_loss",
        ]
    ]


def _swap(kind: str, mask: npt.NDArray[np.bool_], cols: DecisionColumns) -> SwapSet:
    n = int(mask.sum())
    known = mask & ~np.isnan(cols.bad)
    n_obs = int(known.sum())
    return SwapSet(
        kind=kind,
        decision_ids=cols.decision_id[mask],
        n=n,
        expected_bad_rate=float(cols.pd[mask].mean()) if n else None,
        n_observed=n_obs,
        observed_bad_rate=float(cols.bad[known].mean()) if n_obs else None,
        note=SWAP_IN_NOTE if kind == "swap-in" else "",
    )


def simulate(
    proposed: Policy,
    cols: DecisionColumns,
    active: Policy | None = None,
    lgd: float = 1.0,
) -> Simulation:
    """Replay ``proposed`` (and ``active``) over stored decisions.

    Parameters
    ----------
    proposed : Policy
        The policy to assess.
    cols : DecisionColumns
        Stored decisions with their stored ``pd`` and matured outcomes.
    active : Policy, optional
        The active policy; without it no swap sets are computed.
    lgd : float, default 1.0
        Loss given default, as a share of the exposure (1.0: the whole
        credit limit is lost; a conservative default).

    Returns
    -------
    Simulation
    """
    new = replay_policy(proposed, cols)
    rates = {"proposed": outcome_rates(new)}
    swap_in = swap_out = None
    if active is not None:
        old = replay_policy(active, cols)
        rates["active"] = outcome_rates(old)
        new_appr, old_appr = new.outcome == APPROVE, old.outcome == APPROVE
        swap_in = _swap("swap-in", new_appr & ~old_appr, cols)
        # A swap-in has no observed outcome by definition of the live process;
        # any label present comes from a back-test and is kept apart.
        swap_out = _swap("swap-out", old_appr & ~new_appr, cols)
    return Simulation(
        n=len(cols),
        proposed=proposed.name,
        active=active.name if active is not None else None,
        rates=rates,
        bands=band_figures(new, cols, lgd),
        swap_in=swap_in,
        swap_out=swap_out,
        lgd=lgd,
    )


__all__ = [
    "SWAP_IN_NOTE",
    "Simulation",
    "SwapSet",
    "band_figures",
    "outcome_rates",
    "simulate",
]
