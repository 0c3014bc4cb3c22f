"""Readable names for fields, referral reasons and reason codes, in en and de."""

from __future__ import annotations

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


def referral_label(code: str, language: str) -> str:
    de = language == "de"
    if code in REFERRALS:
        return REFERRALS[code][1 if de else 0]
    kind, _, rest = code.partition(":")
    if kind == "rule" and rest:
        return ("Regel " if de else "rule ") + rest
    if kind in ("unseen", "out_of_range") and rest:
        field = field_label(rest, language)
        if kind == "unseen":
            return f"unbekannter Wert: {field}" if de else f"unseen value: {field}"
        return (
            f"außerhalb des Trainingsbereichs: {field}"
            if de
            else f"outside the training range: {field}"
        )
    return code


def value_text(value: Any) -> str:
    if value is None:
        return "–"
    return str(value)


__all__ = ["FIELDS", "REFERRALS", "field_label", "referral_label", "value_text"]
