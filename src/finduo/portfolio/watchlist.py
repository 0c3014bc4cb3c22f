"""Finish a scan: the watchlist, compared with the previous scan, and its cases.

Watchlist columns: ``customer_id, pd, pd_previous, change, trend, action, rule,
exposure, reasons, reasons_de, case_id, case_state``. ``trend`` is ``new`` (not
on the previous watchlist), ``worse`` / ``better`` (pd up / down by at least
:data:`CHANGE_STEP`), ``same``, or ``recovered``: on the previous watchlist,
off this one (listed with action ``none`` so that nobody silently drops off).
Rows are ordered by the severity of the action, then by pd.

Cases: one early-warning case per customer at a time. A row that calls for a
case is linked to the customer's case that is still open, whichever scan
opened it (``case_state`` ``open``: left as it is, for the person working it),
or to a case opened for the same as-of date and since resolved (``resolved``:
that scan's warning has had its answer); otherwise a case is opened
(``opened``). Rerunning a scan, under any output name, so opens nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finduo.errors import ConfigError
from finduo.portfolio.output import Manifest, read_parts, work_dir, write_table
from finduo.portfolio.policy import ACTIONS

logger = logging.getLogger(__name__)

CHANGE_STEP = 0.05
COLUMNS = (
    "customer_id",
    "pd",
    "pd_previous",
    "change",
    "trend",
    "action",
    "rule",
    "exposure",
    "reasons",
    "reasons_de",
    "case_id",
    "case_state",
)
CaseState = Literal["opened", "open", "resolved"]


@dataclass(frozen=True)
class CaseLink:
    """The review case of a watchlist row and whether this scan opened it."""

    case_id: str
    state: CaseState


CaseOpener = Callable[[Mapping[str, Any]], CaseLink]


@dataclass
class WatchSummary:
    watched: int
    cases_opened: int
    counts: dict[str, int] = field(default_factory=dict)
    cases_existing: dict[str, int] = field(default_factory=dict)


def _scores_of(folder: Path, manifest: Manifest, keys: list[str]) -> pd.Series:
    """pd of the customers ``keys`` (ids as text, whatever their stored type)."""
    table = read_parts(folder, "scores", manifest).select(["customer_id", "pd"])
    ids = pc.cast(table["customer_id"], pa.string())
    keep = pc.is_in(ids, value_set=pa.array(keys, pa.string()))
    found = pc.filter(ids, keep).to_numpy(zero_copy_only=False)
    values = pc.filter(table["pd"], keep).to_numpy()
    return pd.Series(values, index=found)


def _finished(previous: Path) -> Manifest:
    manifest = Manifest.read(work_dir(previous))
    if manifest is None or not manifest.finished:
        raise ConfigError(
            f"no finished scan beside the previous watchlist {previous} "
            f"(expected {work_dir(previous)}/manifest.json)"
        )
    return manifest


def compare(
    watch: pd.DataFrame,
    folder: Path,
    manifest: Manifest,
    previous: Path | None,
) -> pd.DataFrame:
    """Add ``pd_previous``, ``change``, ``trend`` and the recovered customers."""
    out = watch.copy()
    if previous is None:
        out["pd_previous"] = np.nan
        out["change"] = np.nan
        out["trend"] = "new"
        return out
    prev_manifest = _finished(previous)
    prev_watch = read_parts(work_dir(previous), "watch", prev_manifest)
    prev_ids = set(pc.cast(prev_watch["customer_id"], pa.string()).to_pylist())
    # Ids compare as text: one scan may have read them as numbers, another not.
    out["customer_id"] = out["customer_id"].astype(str)
    now_ids = out["customer_id"].tolist()
    recovered = sorted(prev_ids - set(now_ids))
    before = _scores_of(work_dir(previous), prev_manifest, [*now_ids, *recovered])
    out["pd_previous"] = before.reindex(out["customer_id"].to_numpy()).to_numpy()
    if recovered:
        now = _scores_of(folder, manifest, recovered)
        back = pd.DataFrame(
            {
                "customer_id": recovered,
                "pd": now.reindex(recovered).to_numpy(),
                "action": "none",
                "rule": "",
                "exposure": np.nan,
                "reasons": "",
                "reasons_de": "",
                "pd_previous": before.reindex(recovered).to_numpy(),
            }
        )
        out = pd.concat([out, back], ignore_index=True)
    out["change"] = out["pd"] - out["pd_previous"]
    was_on = out["customer_id"].isin(prev_ids).to_numpy()
    trend = np.full(len(out), "same", dtype=object)
    trend[(out["change"] >= CHANGE_STEP).to_numpy()] = "worse"
    trend[(out["change"] <= -CHANGE_STEP).to_numpy()] = "better"
    trend[~was_on] = "new"
    trend[len(watch) :] = "recovered"
    out["trend"] = trend
    return out


def _needs_case(frame: pd.DataFrame, threshold: float) -> np.ndarray:
    acting = frame["action"] != "none"
    large = frame["exposure"].fillna(0) >= threshold
    return ((frame["action"] == "case") | (acting & large)).to_numpy()


def open_review_cases(
    frame: pd.DataFrame, threshold: float, opener: CaseOpener | None
) -> tuple[pd.Series, pd.Series, dict[str, int]]:
    """Case id and state per row, and the count of rows per state.

    ``opener`` decides, per customer, whether a case is opened or an existing
    one stands (see the module doc).
    """
    ids = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    states = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    counts: dict[str, int] = {}
    rows = np.flatnonzero(_needs_case(frame, threshold))
    if opener is None:
        if rows.size:
            logger.info("%d watchlist rows call for a case; no store given", rows.size)
        return ids, states, counts
    for i in rows:
        row = frame.iloc[i]
        link = opener({str(k): v for k, v in row.items()})
        ids.iloc[int(i)] = link.case_id
        states.iloc[int(i)] = link.state
        counts[link.state] = counts.get(link.state, 0) + 1
    return ids, states, counts


def finish_watchlist(
    folder: Path,
    manifest: Manifest,
    out: Path,
    scorer: Any,
    previous: Path | None,
    opener: CaseOpener | None,
) -> WatchSummary:
    """Write the watchlist file from the committed parts (see module doc)."""
    watch = read_parts(folder, "watch", manifest).to_pandas()
    watch["action"] = watch["action"].astype(str)
    if "reasons_de" not in watch:  # parts of a scan begun before German reasons
        watch["reasons_de"] = watch["reasons"]
    frame = compare(watch, folder, manifest, previous)
    severity = {name: i for i, name in enumerate(ACTIONS)}
    frame["_severity"] = frame["action"].map(severity)
    frame = frame.sort_values(["_severity", "pd"], ascending=False, kind="stable")
    frame = frame.drop(columns="_severity").reset_index(drop=True)
    policy = scorer.policy.policy
    frame["case_id"], frame["case_state"], states = open_review_cases(
        frame, policy.case_exposure_from, opener
    )
    frame = frame[list(COLUMNS)]
    out.parent.mkdir(parents=True, exist_ok=True)
    write_table(frame, out)
    counts = {f"action:{k}": int(v) for k, v in frame["action"].value_counts().items()}
    counts.update(
        {f"trend:{k}": int(v) for k, v in frame["trend"].value_counts().items()}
    )
    return WatchSummary(
        watched=int((frame["trend"] != "recovered").sum()),
        cases_opened=states.pop("opened", 0),
        counts=counts,
        cases_existing=states,
    )


__all__ = [
    "CHANGE_STEP",
    "COLUMNS",
    "CaseLink",
    "CaseOpener",
    "CaseState",
    "compare",
    "finish_watchlist",
    "open_review_cases",
]
