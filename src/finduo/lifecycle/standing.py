"""How a stored policy version is named and what its status truly is.

A version has two hashes: its **label** ``<name>-<hash12>`` hashes the
validated content (comments and layout aside) and is what every decision
names; the store keys the version by the sha256 of its text, comments
included. Both identify it and both are accepted as a reference, so a
version is always shown as both: ``german-credit-cbfde415ad57 (7feab0bc1f7e)``.

The store's state alone can mislead: the engine stores the shipped policy
as a ``draft`` the first time it decides with it, yet that draft is what
decides while no version is activated. :func:`standing` says what is in
force instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from finduo.policy.loader import SHIPPED, shipped_policy
from finduo.store.records import PolicyVersion

StandingKey = Literal[
    "active",
    "in_force_shipped",
    "in_force_file",
    "shipped_not_in_force",
    "draft",
    "proposed",
    "approved",
    "retired",
]

# English words; the console translates these same strings.
STANDING_TEXT: dict[str, str] = {
    "active": "active",
    "in_force_shipped": "in force (shipped default)",
    "in_force_file": "in force (policy file)",
    "shipped_not_in_force": "shipped default, not in force",
    "draft": "draft",
    "proposed": "proposed",
    "approved": "approved",
    "retired": "retired",
}


@dataclass(frozen=True)
class Standing:
    """The status to show for one stored version.

    ``in_force`` is False for an ``active`` version when something else
    decides here: ``FINDUO_POLICY`` names a file, or a running service has
    not been restarted since the activation.
    """

    key: StandingKey
    in_force: bool

    @property
    def text(self) -> str:
        return STANDING_TEXT[self.key]


def display_name(version: PolicyVersion) -> str:
    """``<label> (<text hash12>)``: the one way a stored version is named."""
    return f"{version.version_label} ({version.content_hash[:12]})"


@lru_cache(maxsize=8)
def shipped_label(name: str) -> str | None:
    """The label of the policy shipped under ``name``, if one is."""
    return shipped_policy(name).version if name in SHIPPED else None


def standing(version: PolicyVersion, in_force: str | None) -> Standing:
    """What ``version`` is, given the label of the policy that decides here.

    Parameters
    ----------
    version : PolicyVersion
        A stored version.
    in_force : str or None
        Label of the policy the caller decides with (the running service's,
        or the CLI's: ``FINDUO_POLICY``, else the active version, else the
        shipped one); None when unknown.
    """
    deciding = in_force is not None and version.version_label == in_force
    if version.state == "active":
        return Standing("active", deciding or in_force is None)
    if deciding:
        shipped = shipped_label(version.name) == version.version_label
        return Standing("in_force_shipped" if shipped else "in_force_file", True)
    if version.state == "draft" and shipped_label(version.name) == (
        version.version_label
    ):
        return Standing("shipped_not_in_force", False)
    return Standing(version.state, False)


__all__ = [
    "STANDING_TEXT",
    "Standing",
    "display_name",
    "shipped_label",
    "standing",
]
