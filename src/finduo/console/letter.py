"""A plain-language explanation of one decision, for the applicant, in en or de.

The letter says what was decided, whether a person took part, the main reasons,
and — for an application that was not approved — the verified counterfactuals:
changes the applicant can make that would have led to approval under the
policy in force (each was decided again by the engine before it is offered).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finduo.console.i18n import Formatter, Language, translations
from finduo.console.labels import field_label
from finduo.decisions.model import Decision
from finduo.explain import Counterfactual
from finduo.store.records import Resolution


@dataclass
class Letter:
    paragraphs: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    counterfactual_intro: str = ""
    counterfactuals: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)


def _value(fmt: Formatter, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt.number(value, 0 if float(value).is_integer() else 2)
    return str(value)


def describe_change(cf: Counterfactual, language: Language) -> str:
    """One counterfactual as text: 'Credit amount: 2.400 instead of 3.000'."""
    _ = translations(language).gettext
    fmt = Formatter(language)
    parts = [
        _("%(field)s: %(new)s instead of %(old)s")
        % {
            "field": field_label(c.feature, language),
            "new": _value(fmt, c.new),
            "old": _value(fmt, c.old),
        }
        for c in cf.changes
    ]
    return (" " + _("and") + " ").join(parts)


def compose(
    decision: Decision,
    language: Language,
    resolution: Resolution | None,
    counterfactuals: list[Counterfactual],
) -> Letter:
    """The letter for ``decision`` (and its resolution, when a person decided)."""
    _ = translations(language).gettext
    fmt = Formatter(language)
    letter = Letter()
    final = resolution.outcome if resolution else decision.outcome
    terms = resolution.terms if resolution and resolution.terms else decision.terms
    ref = {"id": decision.application_id, "date": fmt.date(decision.created_at)}
    if final == "approve":
        letter.paragraphs.append(
            _("We have approved your application %(id)s of %(date)s.") % ref
        )
        if terms is not None:
            letter.paragraphs.append(
                _(
                    "Your credit limit is %(limit)s with a deposit of %(deposit)s, "
                    "for up to %(months)s months."
                )
                % {
                    "limit": fmt.number(terms.credit_limit),
                    "deposit": fmt.number(terms.deposit),
                    "months": fmt.integer(terms.max_term_months),
                }
            )
    elif final == "decline":
        letter.paragraphs.append(
            _("We are sorry: we cannot approve your application %(id)s of %(date)s.")
            % ref
        )
    else:
        letter.paragraphs.append(
            _(
                "Your application %(id)s of %(date)s is being reviewed by a member of"
                " our credit team. We will write to you again."
            )
            % ref
        )
    if resolution is not None:
        letter.paragraphs.append(
            _(
                "A member of our credit team reviewed your application and made this "
                "decision."
            )
        )
    elif decision.outcome != "refer":
        letter.paragraphs.append(
            _(
                "This decision was made automatically, by a statistical model of the "
                "risk that a credit is not repaid and by our lending rules."
            )
        )
    if decision.reasons and final != "approve":
        letter.paragraphs.append(_("The main reasons were:"))
        letter.reasons = [
            r.text.get(language) or r.text.get("en") or r.code for r in decision.reasons
        ]
    if final != "approve":
        if counterfactuals:
            letter.counterfactual_intro = _(
                "Your application would have been approved with one of these changes:"
            )
            letter.counterfactuals = [
                describe_change(cf, language) for cf in counterfactuals
            ]
        else:
            letter.counterfactual_intro = _(
                "We found no small change you could make — to the amount, the "
                "duration, a guarantor, your savings or other instalment plans — "
                "that would have led to approval."
            )
    if resolution is None and decision.outcome != "refer":
        letter.closing.append(
            _(
                "You may contest this automated decision, state your point of view "
                "and ask that a person reviews it (Art. 22(3) GDPR). Just reply to "
                "this letter."
            )
        )
    return letter


__all__ = ["Letter", "compose", "describe_change"]
