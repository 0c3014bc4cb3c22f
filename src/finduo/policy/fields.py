"""Do a policy's rules read fields an application has?

A rule on a field no application carries (a typo such as ``credit_amout``)
would make every batch look broken. :func:`unknown_rule_fields` names such
rules, with close matches, against the fields known for the policy's data:
the champion model's features, the protected characteristics, the amount
field and the fields the policy declares for its rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from finduo.policy.schema import Policy


@dataclass(frozen=True)
class UnknownField:
    """A rule reading a field that is not known for the policy's data."""

    rule: str
    field: str
    close: tuple[str, ...]

    def message(self) -> str:
        hint = (
            f"; did you mean {' or '.join(repr(c) for c in self.close)}?"
            if self.close
            else ""
        )
        who = (
            "the amount field" if self.rule == "amount_field" else f"rule {self.rule!r}"
        )
        return (
            f"{who} reads field {self.field!r}, which no application "
            f"has{hint} (a field a rule reads that the model does not use is "
            "declared under `fields:` in the policy)"
        )


def known_fields(policy: Policy, features: Iterable[str]) -> set[str]:
    """The application fields the rules of ``policy`` may read."""
    return {
        *features,
        *policy.protected,
        policy.amount_field,
        *policy.fields,
    }


def unknown_rule_fields(policy: Policy, features: Iterable[str]) -> list[UnknownField]:
    """Rules (and the amount field) of ``policy`` reading an unknown field."""
    features = list(features)
    known = known_fields(policy, features)
    readers = [(rule.id, rule.field) for rule in policy.rules]
    amount_known = {*features, *policy.fields}
    if policy.amount_field not in amount_known:
        readers.insert(0, ("amount_field", policy.amount_field))
        known = known - {policy.amount_field}
    return [
        UnknownField(
            who, field, tuple(difflib.get_close_matches(field, sorted(known), n=3))
        )
        for who, field in readers
        if field not in known
    ]


__all__ = ["UnknownField", "known_fields", "unknown_rule_fields"]
