"""Reasons: readable causes behind a score, from a catalogue kept as data.

:func:`top_reasons` ranks a model's per-input contributions for one
application (LightGBM: SHAP values on the calibrated log-odds scale;
scorecard: points lost against the best attribute), keeps only those that
raised the risk (an attribute worse than the characteristic's average: the
models give a favourable attribute no positive contribution), never a
protected characteristic, never an input the caller excludes for that row
(a field a policy rule already names, an unseen or out-of-range value that is
a referral reason already), and words them from
``catalogue.yaml`` (English and German). Inputs or values the catalogue does
not know get the generic wording ``"{feature}: {value}"``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, overload

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from finduo.decisions.model import Reason
from finduo.errors import ConfigError
from finduo.models.base import RiskModel

LANGUAGES = ("en", "de")


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    en: str
    de: str


class RangeWording(Wording):
    below: float | None = None


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")

    en: str
    de: str


class FeatureWording(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label
    values: dict[str, Wording] = {}
    ranges: list[RangeWording] = []


class Catalogue(BaseModel):
    """The reason-code catalogue (``catalogue.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    features: dict[str, FeatureWording]

    @classmethod
    def load(cls, path: Path | None = None) -> Catalogue:
        """Load and validate a catalogue; default the shipped one."""
        if path is None:
            text = (
                resources.files(__package__)
                .joinpath("catalogue.yaml")
                .read_text(encoding="utf-8")
            )
            where = "catalogue.yaml (shipped)"
        else:
            text = Path(path).read_text(encoding="utf-8")
            where = str(path)
        try:
            return cls.model_validate(yaml.safe_load(text))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ConfigError(f"invalid reason catalogue {where}: {exc}") from exc

    def word(self, feature: str, value: Any) -> tuple[str, dict[str, str]]:
        """Code and wording (per language) for ``feature`` at ``value``."""
        shown = value_text(value)
        entry = self.features.get(feature)
        generic_code = "GEN_" + "".join(
            ch if ch.isalnum() else "_" for ch in feature.upper()
        )
        if entry is None:
            return generic_code, {lang: f"{feature}: {shown}" for lang in LANGUAGES}
        missing = shown == ""
        if missing:
            missing_text = {"en": "missing", "de": "fehlt"}
            return f"{generic_code}_MISSING", {
                lang: f"{getattr(entry.label, lang)}: {missing_text[lang]}"
                for lang in LANGUAGES
            }
        if shown in entry.values:
            w = entry.values[shown]
            return w.code, {"en": w.en, "de": w.de}
        number = _as_number(value)
        if entry.ranges and number is not None:
            for r in entry.ranges:
                if r.below is None or number < r.below:
                    return r.code, {
                        "en": r.en.format(value=shown),
                        "de": r.de.format(value=shown),
                    }
        return generic_code, {
            lang: f"{getattr(entry.label, lang)}: {shown}" for lang in LANGUAGES
        }


def value_text(value: Any) -> str:
    """A value as the text shown in a reason ('' when missing)."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if float(value).is_integer():
            return str(int(value))
        return f"{float(value):g}"
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value).strip()


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The shipped catalogue (loaded once)."""
    return Catalogue.load()


def _row_reasons(
    model: RiskModel,
    values: np.ndarray,
    raw_row: Mapping[str, Any],
    k: int,
    words: Catalogue,
    never: set[str] | frozenset[str],
) -> list[Reason]:
    order = np.argsort(-values, kind="stable")
    reasons: list[Reason] = []
    for j in order:
        if len(reasons) >= k or not values[j] > 1e-9:
            break
        feature = model.spec.names[j]
        if feature in never:
            continue
        raw = raw_row.get(feature)
        code, text = words.word(feature, raw)
        reasons.append(
            Reason(
                code=code,
                feature=feature,
                value=value_text(raw),
                contribution=round(float(values[j]), 6),
                text=text,
            )
        )
    return reasons


@overload
def top_reasons(
    model: RiskModel,
    X_row: np.ndarray,
    raw_row: Mapping[str, Any],
    k: int = 4,
    catalogue: Catalogue | None = None,
    protected: Iterable[str] = (),
    contributions: np.ndarray | None = None,
    exclude: Iterable[str] | Sequence[Iterable[str]] | None = None,
) -> list[Reason]: ...


@overload
def top_reasons(
    model: RiskModel,
    X_row: np.ndarray,
    raw_row: Sequence[Mapping[str, Any]],
    k: int = 4,
    catalogue: Catalogue | None = None,
    protected: Iterable[str] = (),
    contributions: np.ndarray | None = None,
    exclude: Iterable[str] | Sequence[Iterable[str]] | None = None,
) -> list[list[Reason]]: ...


def top_reasons(
    model: RiskModel,
    X_row: np.ndarray,
    raw_row: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    k: int = 4,
    catalogue: Catalogue | None = None,
    protected: Iterable[str] = (),
    contributions: np.ndarray | None = None,
    exclude: Iterable[str] | Sequence[Iterable[str]] | None = None,
) -> list[Reason] | list[list[Reason]]:
    """The inputs that raised one application's risk most, in words.

    Parameters
    ----------
    model : RiskModel
        The model that scored the row.
    X_row : ndarray of shape (1, k) or (k,)
        The row encoded by ``model.spec``. Batch form: shape (m, k) together
        with a list of m mappings as ``raw_row``.
    raw_row : mapping, or sequence of mappings (batch form)
        The application's values by input name (the words shown).
    k : int
        At most this many reasons (default 4).
    catalogue : Catalogue, optional
        Wording; default the shipped catalogue.
    protected : iterable of str
        Further inputs never named; the model's own protected characteristics
        (``meta["protected_excluded"]``) are always left out.
    contributions : ndarray of shape (k,) or (m, k), optional
        Precomputed ``model.contributions`` of the row(s).
    exclude : iterable of str, or sequence of them (batch form), optional
        Inputs not to name for this row (batch: one iterable per row): the
        fields of policy rules that fired and inputs flagged unseen, missing
        or outside the training range, which are referral reasons already.

    Returns
    -------
    list of Reason (batch form: one list per row)
        Ranked by contribution (largest first); only contributions > 0.
    """
    words = catalogue or default_catalogue()
    never = set(protected) | set(model.meta.get("protected_excluded", []))
    batch = not isinstance(raw_row, Mapping)
    rows: Sequence[Mapping[str, Any]] = (
        raw_row if not isinstance(raw_row, Mapping) else [raw_row]
    )
    if contributions is None:
        X = np.asarray(X_row, dtype=np.float64).reshape(len(rows), -1)
        contributions = model.contributions(X)
    values = np.asarray(contributions, dtype=np.float64).reshape(len(rows), -1)
    if exclude is None:
        skip: list[frozenset[str]] = [frozenset()] * len(rows)
    elif batch:
        skip = [frozenset(item) for item in exclude]
    else:
        skip = [frozenset(exclude)]  # type: ignore[arg-type]
    if len(skip) != len(rows):
        raise ValueError(f"exclude names {len(skip)} rows; got {len(rows)} rows")
    found = [
        _row_reasons(model, values[i], row, k, words, never | skip[i])
        for i, row in enumerate(rows)
    ]
    return found if batch else found[0]


__all__ = ["Catalogue", "default_catalogue", "top_reasons", "value_text"]
