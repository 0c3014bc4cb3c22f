"""Readable reasons for watchlist entries, from per-row contributions.

Contributions (SHAP values on the log-odds) cost far more than a prediction,
so the scan computes them only for customers on the watchlist. The words come
from the early-warning reason catalogue ``reasons.yaml`` beside this module
(English and German; one entry per input of the behavioural model), as the
onboarding reasons come from :mod:`finduo.reasons`' catalogue. A test keeps
every model input in the catalogue, so no reason shows a raw feature name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from finduo.errors import ConfigError

LANGUAGES = ("en", "de")
Language = Literal["en", "de"]
Format = Literal["count", "percent", "spercent", "amount", "signed", "status", "code"]
_MISSING = {"en": "no value", "de": "kein Wert"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Words(_Strict):
    en: str
    de: str

    def get(self, language: Language) -> str:
        return self.de if language == "de" else self.en


class Entry(_Strict):
    """The wording of one model input."""

    code: str
    label: Words
    format: Format
    en: str
    de: str
    zero: Words | None = None


class ReasonCatalogue(_Strict):
    """The early-warning reason catalogue (``portfolio/reasons.yaml``)."""

    version: int
    status_words: dict[str, Words]
    features: dict[str, Entry]

    def code(self, feature: str) -> str:
        entry = self.features.get(feature)
        return entry.code if entry else "GEN_" + feature.upper()

    def text(self, feature: str, value: float, language: Language = "en") -> str:
        """The wording of ``feature`` at ``value`` in ``language``."""
        entry = self.features.get(feature)
        if entry is None:  # not in the catalogue: a test keeps this from users
            return f"{feature}: {value:g}"
        if math.isnan(value):
            return f"{entry.label.get(language)}: {_MISSING[language]}"
        if entry.zero is not None and value == 0:
            return entry.zero.get(language)
        template = entry.de if language == "de" else entry.en
        return template.format(value=self._value(entry.format, value, language))

    def _value(self, kind: Format, value: float, language: Language) -> str:
        german = language == "de"
        match kind:
            case "count" | "code":
                return f"{value:.0f}"
            case "percent" | "spercent":
                sign = "+" if kind == "spercent" else ""
                shown = f"{value * 100:{sign}.0f}"
                return f"{shown} %" if german else f"{shown}%"
            case "amount":
                shown = f"{value:,.0f}"
                return shown.replace(",", ".") if german else shown
            case "signed":
                shown = f"{value:+.1f}"
                return shown.replace(".", ",") if german else shown
            case _:
                return self._status(int(value), language)

    def _status(self, code: int, language: Language) -> str:
        words = self.status_words.get(str(code))
        if words is not None:
            return words.get(language)
        return self.status_words["late"].get(language).format(value=code)


@lru_cache(maxsize=1)
def catalogue() -> ReasonCatalogue:
    """The shipped early-warning reason catalogue (loaded once)."""
    text = resources.files(__package__).joinpath("reasons.yaml").read_text("utf-8")
    try:
        return ReasonCatalogue.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid early-warning reason catalogue: {exc}") from exc


def reason_text(feature: str, value: float, language: Language = "en") -> str:
    """The text of one reason (English by default)."""
    return catalogue().text(feature, float(value), language)


def top_reasons(
    contributions: np.ndarray,
    X: np.ndarray,
    names: Sequence[str],
    k: int,
    language: Language = "en",
) -> list[str]:
    """Up to ``k`` inputs that raised each row's risk most, as one text per row.

    Parameters
    ----------
    contributions, X : numpy.ndarray, shape (n, m)
        Per-input contributions (> 0 raises risk) and the inputs as the
        customer has them (category codes as in the data, not encoded).
    names : sequence of str, length m
    k : int
    language : {"en", "de"}

    Returns
    -------
    list of str, length n
        ``"CODE: text; CODE: text"``, strongest first; empty when nothing
        raised the risk.
    """
    words = catalogue()
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :k]
    out: list[str] = []
    for row in range(contributions.shape[0]):
        parts = []
        for j in order[row]:
            if contributions[row, j] <= 0:
                break
            name = names[j]
            text = words.text(name, float(X[row, j]), language)
            parts.append(f"{words.code(name)}: {text}")
        out.append("; ".join(parts))
    return out


__all__ = ["LANGUAGES", "ReasonCatalogue", "catalogue", "reason_text", "top_reasons"]
