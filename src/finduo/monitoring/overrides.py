"""Override analysis, reviewer agreement and blind-versus-shown review.

An override is a resolution that differs from the machine's recommendation:

* **low-side**: the machine said decline, a person approved. These accounts
  were booked, so once matured their bad rate is observed and can be compared
  with the bad rate of the machine's own approvals.
* **high-side**: the machine said approve, a person declined. These applicants
  were never booked: *their outcome is unknown*, and no bad rate can be shown
  for them. Only their count and predicted pd are reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finduo.errors import DataError

HIGH_SIDE_CAVEAT = (
    "High-side overrides were declined, so their outcome is unknown: no bad "
    "rate can be observed for them; only their number and predicted pd are shown."
)

_NEEDED = ("recommendation", "resolution", "pd")


def _require(frame: pd.DataFrame, cols: tuple[str, ...]) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"override analysis needs the columns {missing}.")


def _summary(part: pd.DataFrame) -> dict[str, float | int | None]:
    matured = part["bad"].notna() if "bad" in part else pd.Series(False, part.index)
    n_m = int(matured.sum())
    return {
        "n": len(part),
        "mean_pd": float(part["pd"].mean()) if len(part) else None,
        "n_matured": n_m,
        "bad_rate": float(part.loc[matured, "bad"].mean()) if n_m else None,
    }


def override_analysis(resolved: pd.DataFrame) -> dict[str, object]:
    """Low-side and high-side overrides against the machine's own approvals.

    Parameters
    ----------
    resolved : pandas.DataFrame
        One row per resolved case: ``recommendation`` (approve / decline, the
        machine's view), ``resolution`` (approve / decline, the person's),
        ``pd``, and ``bad`` (1 / 0, NaN when unknown or not matured).

    Returns
    -------
    dict
        ``low_side``, ``high_side``, ``agreed_approve``, ``agreed_decline``
        summaries (n, mean_pd, n_matured, bad_rate; high-side bad rate always
        None) and the ``caveat`` text for high-side overrides.
    """
    _require(resolved, _NEEDED)
    rec, res = resolved["recommendation"], resolved["resolution"]
    high = _summary(resolved[(rec == "approve") & (res == "decline")])
    high["bad_rate"] = None
    high["n_matured"] = 0
    return {
        "low_side": _summary(resolved[(rec == "decline") & (res == "approve")]),
        "high_side": high,
        "agreed_approve": _summary(resolved[(rec == "approve") & (res == "approve")]),
        "agreed_decline": _summary(resolved[(rec == "decline") & (res == "decline")]),
        "caveat": HIGH_SIDE_CAVEAT,
    }


def reviewer_agreement(resolved: pd.DataFrame) -> pd.DataFrame:
    """Share of resolutions agreeing with the machine, per reviewer.

    Needs ``reviewer``, ``recommendation`` and ``resolution``; returns
    ``reviewer``, ``n``, ``agreement``, ``approval_rate`` and a final
    ``all reviewers`` row.
    """
    _require(resolved, ("reviewer", "recommendation", "resolution"))
    frame = resolved.assign(
        agree=(resolved["recommendation"] == resolved["resolution"]).astype(float),
        approved=(resolved["resolution"] == "approve").astype(float),
    )
    g = frame.groupby("reviewer")
    out = pd.DataFrame(
        {
            "n": g.size(),
            "agreement": g["agree"].mean(),
            "approval_rate": g["approved"].mean(),
        }
    ).reset_index()
    total = pd.DataFrame(
        [
            {
                "reviewer": "all reviewers",
                "n": len(frame),
                "agreement": frame["agree"].mean() if len(frame) else np.nan,
                "approval_rate": frame["approved"].mean() if len(frame) else np.nan,
            }
        ]
    )
    return pd.concat([out, total], ignore_index=True)


def blind_vs_shown(resolved: pd.DataFrame) -> pd.DataFrame:
    """Agreement and approval rate of blind reviews against score-shown ones.

    Needs a boolean ``score_shown`` column (False = the reviewer decided
    without seeing the machine's recommendation). Rows where it is unknown
    are counted in their own ``unknown`` group. Returns ``mode``, ``n``,
    ``agreement``, ``approval_rate``, ``bad_rate`` (matured approvals).
    """
    _require(resolved, ("score_shown", "recommendation", "resolution"))
    mode = resolved["score_shown"].map({True: "shown", False: "blind"})
    frame = resolved.assign(
        mode=mode.fillna("unknown"),
        agree=(resolved["recommendation"] == resolved["resolution"]).astype(float),
        approved=(resolved["resolution"] == "approve").astype(float),
    )
    if "bad" not in frame:
        frame["bad"] = np.nan
    frame["bad_if_approved"] = frame["bad"].where(frame["approved"] == 1)
    g = frame.groupby("mode")
    return pd.DataFrame(
        {
            "n": g.size(),
            "agreement": g["agree"].mean(),
            "approval_rate": g["approved"].mean(),
            "bad_rate": g["bad_if_approved"].mean(),
        }
    ).reset_index()


__all__ = [
    "HIGH_SIDE_CAVEAT",
    "blind_vs_shown",
    "override_analysis",
    "reviewer_agreement",
]
