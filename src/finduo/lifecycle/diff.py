"""Differences between two policy versions: the YAML text and the values."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from finduo.policy.loader import parse_policy


@dataclass(frozen=True)
class Change:
    """One value that differs: its path (``cutoffs.approve_below``), old and new."""

    path: str
    old: Any
    new: Any


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        # Lists of bands and rules are keyed by their name / id, not position.
        for i, v in enumerate(value):
            key = v.get("id") or v.get("name") or str(i)
            out.update(_flatten(v, f"{prefix}[{key}]"))
    else:
        out[prefix] = value
    return out


def value_changes(old_yaml: str, new_yaml: str) -> list[Change]:
    """Values added, removed or changed between two valid policy texts."""
    old = _flatten(parse_policy(old_yaml, "old").policy.model_dump(mode="json"))
    new = _flatten(parse_policy(new_yaml, "new").policy.model_dump(mode="json"))
    changes = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a != b:
            changes.append(Change(path, a, b))
    return changes


def text_diff(old_yaml: str, new_yaml: str, old_name: str, new_name: str) -> str:
    """Unified diff of the two YAML texts (comments included)."""
    lines = difflib.unified_diff(
        old_yaml.splitlines(keepends=True),
        new_yaml.splitlines(keepends=True),
        fromfile=old_name,
        tofile=new_name,
    )
    return "".join(lines)


__all__ = ["Change", "text_diff", "value_changes"]
