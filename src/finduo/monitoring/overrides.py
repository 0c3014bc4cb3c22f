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


def blind_vs_first(resolved: pd.DataFrame) -> pd.DataFrame:
    """Blind first judgements against final resolutions (automation bias).

    Where the console ran blind review, the reviewer recorded a
    ``first_judgement`` before the machine's recommendation was shown, then
    the final ``resolution``. Returns one row per mode:

    * ``blind first judgement``: agreement of the first judgements with the
      machine (rows with a first judgement);
    * ``final, after shown``: agreement of those same rows' resolutions;
    * ``shown from the start``: agreement where no blind judgement exists;

    with ``n``, ``agreement``, ``approval_rate``, and for the blind rows the
    share that switched to the machine's view (``switched_to_machine``) or
    away from it (``switched_away``). Empty when no first judgement exists.
    """
    _require(resolved, ("recommendation", "resolution"))
    if "first_judgement" not in resolved or resolved["first_judgement"].isna().all():
        return pd.DataFrame()
    rec = resolved["recommendation"]
    has_blind = resolved["first_judgement"].notna()
    blind = resolved[has_blind]
    first, final = blind["first_judgement"], blind["resolution"]
    rec_b = rec[has_blind]
    switched_to = ((first != rec_b) & (final == rec_b)).mean()
    switched_away = ((first == rec_b) & (final != rec_b)).mean()
    rows = [
        {
            "mode": "blind first judgement",
            "n": len(blind),
            "agreement": float((first == rec_b).mean()),
            "approval_rate": float((first == "approve").mean()),
            "switched_to_machine": float(switched_to),
            "switched_away": float(switched_away),
        },
        {
            "mode": "final, after shown",
            "n": len(blind),
            "agreement": float((final == rec_b).mean()),
            "approval_rate": float((final == "approve").mean()),
            "switched_to_machine": np.nan,
            "switched_away": np.nan,
        },
    ]
    shown = resolved[~has_blind]
    if len(shown):
        rows.append(
            {
                "mode": "shown from the start",
                "n": len(shown),
                "agreement": float((shown["resolution"] == rec[~has_blind]).mean()),
                "approval_rate": float((shown["resolution"] == "approve").mean()),
                "switched_to_machine": np.nan,
                "switched_away": np.nan,
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "HIGH_SIDE_CAVEAT",
    "blind_vs_first",
    "override_analysis",
    "reviewer_agreement",
]
