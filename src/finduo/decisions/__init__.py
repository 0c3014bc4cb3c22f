"""Decisions: validation of applications, the engine and the decision record.

``Engine`` is imported lazily: the policy package uses the records here, and
the engine uses the policy package.
"""

from typing import TYPE_CHECKING, Any

from finduo.decisions.model import Decision, Reason, Terms

if TYPE_CHECKING:
    from finduo.decisions.engine import Engine


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from finduo.decisions.engine import Engine

        return Engine
    raise AttributeError(f"module 'finduo.decisions' has no attribute {name!r}")


__all__ = ["Decision", "Engine", "Reason", "Terms"]
