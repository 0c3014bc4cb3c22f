"""Stored-decision histories built from labelled data, for tests, demos and benches.

German credit has outcomes for everyone; to exercise simulation, monitoring
and outcome import end to end we need what a live system would have: decisions
spread over past months, decided by a policy from a pd, and outcome records
arriving later for the approved ones. :func:`history` builds exactly that,
deterministically from a seed; nothing here is used to make real decisions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from finduo.decisions.model import Decision
from finduo.policy.evaluate import evaluate_policy
from finduo.policy.loader import LoadedPolicy


@dataclass(frozen=True)
class History:
    """Decisions with their applications, and the outcome rows to import."""

    decisions: list[Decision]
    applications: list[dict[str, Any]]
    outcomes: pd.DataFrame  # decision_id, kind, observed_at, days_past_due


def _fingerprint(app: dict[str, Any]) -> str:
    text = repr(sorted(app.items())).encode()
    return hashlib.sha256(text).hexdigest()


def history(
    frame: pd.DataFrame,
    pd_: np.ndarray,
    loaded: LoadedPolicy,
    *,
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    months: int = 12,
    target: str = "bad",
    model_version: str = "synthetic-model",
    seed: int = 0,
) -> History:
    """Decide ``frame`` under ``loaded`` at dates spread over ``months``.

    Applications approved get outcome rows: a ``paid`` record 3 months after
    the decision for goods, and for bads a ``defaulted`` record with 90+ days
    past due at a random month 2-11 after the decision.
    """
    rng = np.random.default_rng(seed)
    n = len(frame)
    plain = frame.drop(columns=[target]).copy()
    for column in plain.columns:
        if not pd.api.types.is_numeric_dtype(plain[column]):
            plain[column] = plain[column].astype(str)
    apps: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in plain.to_dict(orient="records")
    ]
    days = rng.integers(0, months * 30, size=n)
    created = [start + timedelta(days=int(x), hours=9) for x in days]
    columns = {
        f: np.asarray([a.get(f) for a in apps], dtype=object)
        for f in {r.field for r in loaded.policy.rules} | {loaded.policy.amount_field}
    }
    ids = [str(a["application_id"]) for a in apps]
    res = evaluate_policy(loaded.policy, columns, np.asarray(pd_, float), ids)
    decisions = [
        Decision(
            decision_id=f"DEC-{seed}-{i:07d}",
            application_id=ids[i],
            created_at=created[i],
            pd=float(pd_[i]),
            band=res.band[i],
            outcome=res.outcome[i],  # type: ignore[arg-type]
            recommendation=res.recommendation[i],  # type: ignore[arg-type]
            terms=res.terms[i],
            referral_reasons=res.referral_reasons[i],
            rules_fired=res.rules_fired[i],
            model_version=model_version,
            policy_version=loaded.version,
            inputs_fingerprint=_fingerprint(apps[i]),
        )
        for i in range(n)
    ]
    y = frame[target].to_numpy()
    rows = []
    for i, d in enumerate(decisions):
        if d.outcome != "approve":
            continue
        if y[i] == 1:
            month = int(rng.integers(2, 12))
            rows.append(
                (
                    d.decision_id,
                    "defaulted",
                    d.created_at + timedelta(days=30 * month),
                    90 + int(rng.integers(0, 60)),
                )
            )
        else:
            rows.append((d.decision_id, "paid", d.created_at + timedelta(days=90), 0))
    outcomes = pd.DataFrame(
        rows, columns=["decision_id", "kind", "observed_at", "days_past_due"]
    )
    return History(decisions, apps, outcomes)


def out_of_fold_pd(
    frame: pd.DataFrame,
    categorical: list[str],
    numeric: list[str],
    target: str = "bad",
    seed: int = 0,
) -> np.ndarray:
    """Out-of-fold pd from a one-hot logistic regression (5 folds).

    A stand-in score for histories when no trained finduo model is at hand;
    it is never used to decide live applications.
    """
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    pre = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), categorical),
        (StandardScaler(), numeric),
    )
    model = make_pipeline(pre, LogisticRegression(C=0.3, max_iter=3000))
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    proba = cross_val_predict(
        model, frame, frame[target], cv=folds, method="predict_proba"
    )
    return np.asarray(proba[:, 1], dtype=np.float64)


def german_history(
    seed: int = 0, months: int = 12, start: datetime | None = None
) -> tuple[pd.DataFrame, np.ndarray, History]:
    """German credit, its out-of-fold pd and a decided history (shipped policy)."""
    from finduo.datasets.german import CATEGORICAL, NUMERIC, PROTECTED, load_german
    from finduo.policy.loader import shipped_policy

    df = load_german()
    cats = [c for c in CATEGORICAL if c not in PROTECTED]
    pd_ = out_of_fold_pd(df, cats, list(NUMERIC), seed=seed)
    hist = history(
        df,
        pd_,
        shipped_policy(),
        start=start or datetime(2025, 1, 1, tzinfo=UTC),
        months=months,
        seed=seed,
    )
    return df, pd_, hist


__all__ = ["History", "german_history", "history", "out_of_fold_pd"]
