"""Languages of the console: gettext catalogues (Babel), locale-aware numbers.

The catalogues are kept as ``locale/<lang>/LC_MESSAGES/messages.po`` and
compiled in memory on first use with Babel, so no build step is needed and a
compiled file can never be stale. English is the source language: its
catalogue only exists so that both languages are handled alike.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

Language = Literal["en", "de"]
LANGUAGES: tuple[Language, ...] = ("en", "de")
DEFAULT_LANGUAGE: Language = "en"
LOCALES: dict[Language, str] = {"en": "en_GB", "de": "de_DE"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def normalise_language(value: str | None) -> Language:
    """A supported language code for ``value`` ('de-DE' -> 'de'), else English."""
    code = (value or "").strip().lower()[:2]
    return "de" if code == "de" else "en"


def catalogue_path(language: Language) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: Language) -> Translations:
    """The compiled catalogue of ``language`` (compiled once per process)."""
    with catalogue_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[language])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


class Formatter:
    """Numbers, percentages and dates in one language's conventions."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.locale = LOCALES[language]

    def number(self, value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def integer(self, value: float | int | None) -> str:
        return self.number(value, 0)

    def percent(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "–"
        sign = "\u00a0%" if self.language == "de" else "%"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + sign
        return format_percent(value, format=pattern, locale=self.locale)

    def date(self, value: datetime | None) -> str:
        if value is None:
            return "–"
        return format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return "–"
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return format_datetime(value, format="short", tzinfo=UTC, locale=self.locale)

    def hours(self, value: float) -> str:
        """A waiting time: minutes under an hour, hours under two days, else days."""
        gettext = translations(self.language).gettext
        if value < 1:
            return gettext("%(n)s min") % {"n": self.integer(value * 60)}
        if value < 48:
            return gettext("%(n)s h") % {"n": self.number(value, 1)}
        return gettext("%(n)s days") % {"n": self.number(value / 24, 1)}


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALES",
    "Formatter",
    "Language",
    "catalogue_path",
    "normalise_language",
    "translations",
]
