"""Decisions: validation of applications, the engine and the decision record."""

from finduo.decisions.model import Decision, Reason, Terms

__all__ = ["Decision", "Reason", "Terms"]
