"""`policy validate` catches a rule on a field no application has."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finduo.cli import _register_all, app
from finduo.datasets.german import CATEGORICAL, NUMERIC
from finduo.errors import PolicyError
from finduo.policy import shipped_policy
from finduo.policy.fields import unknown_rule_fields
from finduo.policy.loader import parse_policy
from finduo.settings import get_settings


def _typo_text() -> str:
    text = shipped_policy().text
    assert "    field: credit_amount" in text
    return text.replace("    field: credit_amount", "    field: credit_amout", 1)


def test_shipped_policy_reads_only_known_fields() -> None:
    assert unknown_rule_fields(shipped_policy().policy, [*NUMERIC, *CATEGORICAL]) == []


def test_typo_is_named_with_close_matches() -> None:
    policy = parse_policy(_typo_text(), "typo").policy

    unknown = unknown_rule_fields(policy, [*NUMERIC, *CATEGORICAL])

    assert [(u.field, u.close[0]) for u in unknown] == [
        ("credit_amout", "credit_amount")
    ]
    assert "did you mean 'credit_amount'" in unknown[0].message()


def test_declared_fields_are_known_and_empty_fields_keep_the_version() -> None:
    declared = _typo_text() + "\nfields:\n  credit_amout: numeric\n"
    policy = parse_policy(declared, "declared").policy

    assert unknown_rule_fields(policy, [*NUMERIC, *CATEGORICAL]) == []
    shipped = shipped_policy()
    before = json.dumps(
        shipped.policy.model_dump(mode="json", exclude={"fields"}),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256(before.encode("utf-8")).hexdigest()[:12]
    assert shipped.version == f"{shipped.policy.name}-{digest}"
    assert (
        parse_policy(declared, "d").version != parse_policy(_typo_text(), "t").version
    )


def test_cli_validate_refuses_the_typo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINDUO_STATE_DIR", str(tmp_path))
    get_settings.cache_clear()
    _register_all()
    path = tmp_path / "typo.yaml"
    path.write_text(_typo_text(), encoding="utf-8")

    result = CliRunner().invoke(app, ["policy", "validate", str(path)])

    assert isinstance(result.exception, PolicyError)
    assert result.exception.exit_code == 4
    assert "R02_LARGE_AMOUNT" in str(result.exception)
    assert "credit_amout" in str(result.exception)
    get_settings.cache_clear()
