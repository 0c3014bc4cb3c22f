"""Loading a policy file: YAML -> validated :class:`Policy` + content hash.

Errors name the file, the field path (``bands[2].max_pd``), what was expected
and the value found, so that an analyst can fix the file without reading code.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from finduo.errors import PolicyError
from finduo.policy.schema import Policy

SHIPPED = ("german-credit",)
_PATH_PREFIX = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+)*: ")


class LoadedPolicy:
    """A validated policy with its version (content hash) and source."""

    __slots__ = ("policy", "source", "text", "version")

    def __init__(self, policy: Policy, text: str, source: str) -> None:
        self.policy = policy
        self.text = text
        self.source = source
        self.version = policy_version(policy)

    def __repr__(self) -> str:
        return f"LoadedPolicy({self.policy.name!r}, version={self.version!r})"


def policy_version(policy: Policy) -> str:
    """Version of a policy: ``<name>-<first 12 hex of sha256>`` of its content.

    The hash is taken over the canonical JSON of the validated policy, so
    comments and formatting do not change the version; any change of a value
    does. An empty ``fields`` (added later) is left out, so the versions of
    policies that declare none stay as they were.
    """
    canonical = json.dumps(
        policy.model_dump(mode="json", exclude=None if policy.fields else {"fields"}),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{policy.name}-{digest[:12]}"


def _path_text(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _format_errors(source: str, exc: ValidationError) -> str:
    lines = [f"policy {source} is invalid:"]
    for error in exc.errors(include_url=False):
        # Union members add their type name to the location; drop those.
        loc = tuple(
            p
            for p in error["loc"]
            if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
        )
        message = error["msg"].removeprefix("Value error, ")
        shown = ""
        # Our own checks already name the value; pydantic's do not.
        if error["type"] not in ("value_error", "missing"):
            value = repr(error.get("input"))
            shown = f"; got {value if len(value) <= 80 else value[:77] + '...'}"
        path = _path_text(loc)
        if not loc and _PATH_PREFIX.match(message):
            lines.append(f"  {message}")
        else:
            lines.append(f"  {path}: {message}{shown}")
    return "\n".join(lines)


def parse_policy(text: str, source: str = "<text>") -> LoadedPolicy:
    """Parse and validate policy YAML ``text``; raise :class:`PolicyError`."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(
            f"policy {source} is not valid YAML: {exc}", path=source
        ) from exc
    if not isinstance(raw, dict):
        raise PolicyError(
            f"policy {source} must be a mapping of fields; got {type(raw).__name__}",
            path=source,
        )
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(_format_errors(source, exc), path=source) from exc
    return LoadedPolicy(policy, text, source)


def load_policy(path: Path | str) -> LoadedPolicy:
    """Load the policy file at ``path``, or a shipped policy by name."""
    if isinstance(path, str) and path in SHIPPED:
        return shipped_policy(path)
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(
            f"policy file {file} cannot be read: {exc.strerror}", path=str(file)
        ) from exc
    return parse_policy(text, str(file))


def shipped_policy(name: str = "german-credit") -> LoadedPolicy:
    """A policy shipped with finduo (``policy/policies/<name>.yaml``)."""
    if name not in SHIPPED:
        raise PolicyError(
            f"shipped policy must be one of {list(SHIPPED)}; got {name!r}",
            path=name,
        )
    resource = resources.files("finduo.policy").joinpath(f"policies/{name}.yaml")
    return parse_policy(resource.read_text(encoding="utf-8"), f"{name}.yaml")


__all__ = ["LoadedPolicy", "load_policy", "parse_policy", "policy_version"]
