"""Assemble a scan: model, policy, tree scorer and the store's case queue.

Shared by ``finduo portfolio scan`` and the bench, so that both run the same
pipeline. The last finished scan is remembered in
``FINDUO_STATE_DIR/portfolio/last-scan.json`` and is the default ``previous``
of the next one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from finduo.datasets import taiwan
from finduo.errors import ConfigError
from finduo.portfolio.compiled import RawScorer, StockScorer, compile_booster
from finduo.portfolio.output import work_dir
from finduo.portfolio.policy import load_early_warning
from finduo.portfolio.scoring import ChunkScorer
from finduo.portfolio.watchlist import CaseLink, CaseOpener

ScorerName = Literal["lleaves", "lightgbm"]
_PAGE = 1000
_NONE = CaseLink("", "resolved")


def load_scan_model(model: Path | None) -> Any:
    """The model at ``model``, else the newest LightGBM trained on the Taiwan data."""
    from finduo.models.artifacts import latest_model, load_model

    found = (
        load_model(model)
        if model is not None
        else latest_model("lightgbm", taiwan.NAME)
    )
    if getattr(found, "kind", None) != "lightgbm":
        raise ConfigError(
            f"the portfolio scan needs a LightGBM model; {found.version} is "
            f"{getattr(found, 'kind', '?')}."
        )
    return found


def make_scorer(
    model: Any,
    state_dir: Path,
    scorer: ScorerName = "lleaves",
    threads: int | None = None,
) -> RawScorer:
    """Compiled trees (cached by model hash) or LightGBM's own predict."""
    if scorer == "lleaves":
        return compile_booster(
            model.booster.model_to_string(), state_dir / "compiled", threads
        )
    return StockScorer(model.booster, threads or 0)


def build_scorer(
    state_dir: Path,
    model: Path | None = None,
    policy: Path | None = None,
    scorer: ScorerName = "lleaves",
) -> ChunkScorer:
    """Model + early-warning policy + tree scorer, ready for a scan."""
    found = load_scan_model(model)
    return ChunkScorer(
        found, load_early_warning(policy), make_scorer(found, state_dir, scorer)
    )


def existing_cases(store: Any, as_of: str) -> dict[str, CaseLink]:
    """Early-warning cases a scan as of ``as_of`` links to instead of opening one.

    Every customer's open case (whichever scan opened it), and cases opened
    for the same as-of date that have been resolved since; an open case wins.
    """
    from finduo.store import CaseFilter

    found: dict[str, CaseLink] = {}
    offset = 0
    while True:
        page = store.list_cases(
            CaseFilter(status=None, kind="early_warning", limit=_PAGE, offset=offset)
        )
        for case in page:
            key = case.subject_id
            if key is None:
                continue
            if case.status == "open":
                if found.get(key, _NONE).state != "open":
                    found[key] = CaseLink(case.id, "open")
            elif case.details.get("as_of") == as_of and key not in found:
                found[key] = CaseLink(case.id, "resolved")
        if len(page) < _PAGE:
            return found
        offset += _PAGE


def store_case_opener(
    store: Any,
    actor: str,
    scan: Mapping[str, str],
    rules: Mapping[str, str] | None = None,
) -> CaseOpener:
    """Link each watchlist row to its customer's early-warning case.

    Opens a case in the review queue unless :func:`existing_cases` names one.
    ``scan`` (as_of, scan file, model and policy versions) and the proposed
    action's description from ``rules`` (rule id -> description) go into the
    case's details, for the case page.
    """
    known: dict[str, CaseLink] | None = None

    def open_case(row: Mapping[str, Any]) -> CaseLink:
        nonlocal known
        if known is None:  # read once, on the first row that needs a case
            known = existing_cases(store, scan.get("as_of", ""))
        key = str(row["customer_id"])
        if key in known:
            return known[key]
        exposure = float(row["exposure"]) if row["exposure"] == row["exposure"] else 0.0
        case = store.open_case(
            actor,
            kind="early_warning",
            subject_id=key,
            # Amount at risk times the pd, as the queue ranks onboarding cases.
            priority=round(exposure * float(row["pd"]), 2),
            referral_reasons=[f"early warning: {row['action']} ({row['rule']})"],
            details={
                "action": row["action"],
                "rule": row["rule"],
                "rule_description": (rules or {}).get(str(row["rule"]), ""),
                "pd": round(float(row["pd"]), 6),
                "exposure": exposure,
                "reasons": row["reasons"],
                "reasons_de": row.get("reasons_de", row["reasons"]),
                **scan,
            },
        )
        known[key] = CaseLink(str(case.id), "open")
        return CaseLink(str(case.id), "opened")

    return open_case


def last_scan_file(state_dir: Path) -> Path:
    return state_dir / "portfolio" / "last-scan.json"


def remember_scan(state_dir: Path, watchlist: Path) -> None:
    path = last_scan_file(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"watchlist": str(watchlist.resolve())}), encoding="utf-8"
    )


def previous_scan(state_dir: Path, current: Path) -> Path | None:
    """The last finished scan's watchlist, unless it is ``current`` itself."""
    path = last_scan_file(state_dir)
    if not path.is_file():
        return None
    found = Path(json.loads(path.read_text(encoding="utf-8"))["watchlist"])
    if found.resolve() == current.resolve() or not work_dir(found).is_dir():
        return None
    return found


__all__ = [
    "build_scorer",
    "existing_cases",
    "load_scan_model",
    "make_scorer",
    "previous_scan",
    "remember_scan",
    "store_case_opener",
]
