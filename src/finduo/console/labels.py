"""Readable names for fields, referral reasons and reason codes, in en and de."""

from __future__ import annotations

import re
from typing import Any

FIELDS: dict[str, tuple[str, str]] = {
    "application_id": ("Application id", "Antragsnummer"),
    "checking_account": ("Checking account", "Girokonto"),
    "duration_months": ("Duration (months)", "Laufzeit (Monate)"),
    "credit_history": ("Credit history", "Kredithistorie"),
    "purpose": ("Purpose", "Verwendungszweck"),
    "credit_amount": ("Credit amount", "Kreditbetrag"),
    "savings": ("Savings", "Sparguthaben"),
    "employment_since": ("Employed since", "Beschäftigt seit"),
    "instalment_rate": ("Instalment rate", "Ratenhöhe"),
    "personal_status_sex": ("Personal status and sex", "Familienstand und Geschlecht"),
    "other_debtors": ("Other debtors or guarantors", "Weitere Schuldner oder Bürgen"),
    "residence_since": ("Residence since (band)", "Wohnhaft seit (Stufe)"),
    "property": ("Property", "Vermögen"),
    "age_years": ("Age (years)", "Alter (Jahre)"),
    "other_instalment_plans": ("Other instalment plans", "Weitere Ratenkredite"),
    "housing": ("Housing", "Wohnsituation"),
    "existing_credits": ("Existing credits (band)", "Bestehende Kredite (Stufe)"),
    "job": ("Job", "Beruf"),
    "dependants": ("Dependants", "Unterhaltsberechtigte"),
    "telephone": ("Telephone", "Telefon"),
    "foreign_worker": ("Foreign worker", "Ausländischer Arbeitnehmer"),
    "age_group": ("Age group", "Altersgruppe"),
}

REFERRALS: dict[str, tuple[str, str]] = {
    "grey_zone": ("pd in the grey zone", "pd im Graubereich"),
    "quality_sample": ("quality sample", "Qualitätsstichprobe"),
    "stop_switch": ("stop switch", "Stoppschalter"),
    "contest": ("contest by the applicant", "Widerspruch des Antragstellers"),
}

OUTCOMES_DE = {"approve": "annehmen", "decline": "ablehnen", "refer": "prüfen"}


def field_label(name: str, language: str) -> str:
    en, de = FIELDS.get(name, (name.replace("_", " ").capitalize(),) * 2)
    return de if language == "de" else en


# Referral reasons the features write (finduo.features.FeatureSpec.flag):
# the field and the value are data, the words around them are ours.
_FLAGS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"unseen value (?P<value>.+) for (?P<field>\w+)"),
        "{field}: value not seen in training, {value}",
        "{field}: im Training nicht gesehener Wert {value}",
    ),
    (
        re.compile(r"missing value for (?P<field>\w+)"),
        "{field}: value missing",
        "{field}: Wert fehlt",
    ),
    (
        re.compile(r"(?P<field>\w+): (?P<value>.+) is not a number"),
        "{field}: {value} is not a number",
        "{field}: {value} ist keine Zahl",
    ),
    (
        re.compile(
            r"(?P<field>\w+) (?P<value>\S+) (?P<side>above|below) training range "
            r"(?P<range>\S+)"
        ),
        "{field}: {value}, {side} the training range {range}",
        "{field}: {value}, {side} des Trainingsbereichs {range}",
    ),
)
_SIDES_DE = {"above": "oberhalb", "below": "unterhalb"}


def referral_label(code: str, language: str) -> str:
    """A referral reason in words; the field and value it names stay as given."""
    de = language == "de"
    if code in REFERRALS:
        return REFERRALS[code][1 if de else 0]
    kind, _, rest = code.partition(":")
    if kind == "rule" and rest:
        return ("Regel " if de else "rule ") + rest
    for pattern, en_text, de_text in _FLAGS:
        found = pattern.fullmatch(code)
        if found:
            parts = found.groupdict()
            parts["field"] = field_label(parts["field"], language)
            if de and "side" in parts:
                parts["side"] = _SIDES_DE[parts["side"]]
            return (de_text if de else en_text).format(**parts)
    return code


def value_text(value: Any) -> str:
    if value is None:
        return "–"
    return str(value)


__all__ = ["FIELDS", "REFERRALS", "field_label", "referral_label", "value_text"]
