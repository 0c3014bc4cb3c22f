"""Finish a scan: the watchlist, compared with the previous scan, and its cases.

Watchlist columns: ``customer_id, pd, pd_previous, change, trend, action, rule,
exposure, reasons, case_id``. ``trend`` is ``new`` (not on the previous
watchlist), ``worse`` / ``better`` (pd up / down by at least
:data:`CHANGE_STEP`), ``same``, or ``recovered``: on the previous watchlist,
off this one (listed with action ``none`` so that nobody silently drops off).
Rows are ordered by the severity of the action, then by pd.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    "case_id",
)
CaseOpener = Callable[[Mapping[str, Any]], str]


@dataclass
class WatchSummary:
    watched: int
    cases_opened: int
    counts: dict[str, int] = field(default_factory=dict)


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
    frame: pd.DataFrame, folder: Path, threshold: float, opener: CaseOpener | None
) -> tuple[pd.Series, int]:
    """Case id per row; opens the missing ones, remembering each in cases.jsonl."""
    log = folder / "cases.jsonl"
    known: dict[str, str] = {}
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                known[str(item["customer_id"])] = item["case_id"]
    ids = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    opened = 0
    rows = np.flatnonzero(_needs_case(frame, threshold))
    if opener is None:
        if rows.size:
            logger.info("%d watchlist rows call for a case; no store given", rows.size)
        return ids, 0
    with open(log, "a", encoding="utf-8") as handle:
        for i in rows:
            row = frame.iloc[i]
            key = str(row["customer_id"])
            if key not in known:
                known[key] = opener({str(k): v for k, v in row.items()})
                handle.write(
                    json.dumps({"customer_id": key, "case_id": known[key]}) + "\n"
                )
                handle.flush()
                opened += 1
            ids.iloc[int(i)] = known[key]
    return ids, opened


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
    frame = compare(watch, folder, manifest, previous)
    severity = {name: i for i, name in enumerate(ACTIONS)}
    frame["_severity"] = frame["action"].map(severity)
    frame = frame.sort_values(["_severity", "pd"], ascending=False, kind="stable")
    frame = frame.drop(columns="_severity").reset_index(drop=True)
    policy = scorer.policy.policy
    frame["case_id"], opened = open_review_cases(
        frame, folder, policy.case_exposure_from, opener
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
        cases_opened=opened,
        counts=counts,
    )


__all__ = ["CHANGE_STEP", "COLUMNS", "compare", "finish_watchlist", "open_review_cases"]
