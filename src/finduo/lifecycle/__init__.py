"""Lifecycle of policies and models: proposals, four-eyes approval, activation."""

from finduo.lifecycle.diff import Change, text_diff, value_changes
from finduo.lifecycle.models import (
    active_model_path,
    approve_model,
    promote_model,
    register_candidate,
    retire_model,
)
from finduo.lifecycle.policies import (
    activate,
    active_policy,
    approve,
    propose,
    propose_text,
    resolve,
    retire,
    simulate,
)
from finduo.lifecycle.roles import STEP_ROLES, Step, require_step

__all__ = [
    "STEP_ROLES",
    "Change",
    "Step",
    "activate",
    "active_model_path",
    "active_policy",
    "approve",
    "approve_model",
    "promote_model",
    "propose",
    "propose_text",
    "register_candidate",
    "require_step",
    "resolve",
    "retire",
    "retire_model",
    "simulate",
    "text_diff",
    "value_changes",
]
