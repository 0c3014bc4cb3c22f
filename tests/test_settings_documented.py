"""Every setting is documented: a row in the README's Configuration table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finduo.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _configuration_rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Configuration\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, "README.md has no '## Configuration' section"
    rows = re.findall(r"^\| `(FINDUO_[A-Z_]+)` \| (.+?) \|$", match.group(1), re.M)
    return dict(rows)


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_has_a_described_row_in_the_readme(name: str) -> None:
    rows = _configuration_rows()

    variable = f"FINDUO_{name.upper()}"

    assert variable in rows, f"{variable} is missing from README.md ## Configuration"
    assert len(rows[variable].strip()) > 10
    assert Settings.model_fields[name].description, f"{name} has no description"


def test_readme_lists_no_setting_that_does_not_exist() -> None:
    known = {f"FINDUO_{name.upper()}" for name in Settings.model_fields}

    assert set(_configuration_rows()) <= known
