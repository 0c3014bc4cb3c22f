"""Loading and validating policy files: clear errors, content-hash versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from finduo.errors import PolicyError
from finduo.policy import load_policy, parse_policy, shipped_policy


@pytest.fixture()
def shipped_text() -> str:
    return shipped_policy().text


def test_shipped_policy_loads_with_content_hash_version() -> None:
    loaded = shipped_policy("german-credit")

    assert loaded.version.startswith("german-credit-")
    assert len(loaded.version) == len("german-credit-") + 12
    assert loaded.policy.protected == ["personal_status_sex", "foreign_worker"]
    cut = loaded.policy.cutoffs
    assert cut.approve_below <= cut.decline_cutoff <= cut.decline_from
    # Bayes cut-off of the 5:1 cost matrix.
    assert cut.decline_cutoff == pytest.approx(1 / 6, abs=1e-3)


def test_shipped_policy_offers_invoice_only_in_the_lowest_band() -> None:
    bands = shipped_policy().policy.bands

    with_invoice = [b.name for b in bands if "invoice" in b.terms.payment_methods]

    assert with_invoice == [bands[0].name]


def test_comments_do_not_change_the_version_but_values_do(shipped_text: str) -> None:
    base = parse_policy(shipped_text).version

    commented = parse_policy("# a new comment\n" + shipped_text).version
    changed = parse_policy(shipped_text.replace("share: 0.02", "share: 0.03")).version

    assert commented == base
    assert changed != base


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    op: lt",
            "    op: between",
            r"rules\[0\]\.op: Input should be 'lt'.*; got 'between'",
        ),
        (
            "max_pd: 0.20",
            "max_pd: 0.01",
            r"bands: max_pd must increase from band to band; "
            r"got \[0\.05, 0\.1, 0\.15, 0\.01, 1\.0\]",
        ),
        (
            "approve_below: 0.15",
            "approve_below: 0.5",
            r"cutoffs: cut-offs must satisfy approve_below <= decline_cutoff <= "
            r"decline_from; got 0\.5 / 0\.1667 / 0\.2",
        ),
        (
            "champion: scorecard",
            "champion: xgboost",
            r"champion: Input should be 'lightgbm' or 'scorecard'; got 'xgboost'",
        ),
        (
            "field: age_years",
            "field: foreign_worker",
            r"rules\[0\]\.field: rule 'R01_UNDERAGE' uses the protected "
            r"characteristic 'foreign_worker'",
        ),
        (
            "    value: 18",
            "    value: [18]",
            r"rules\[0\]: operator 'lt' needs a single value, not a list; got \[18\]",
        ),
        (
            "    value: 18",
            "    value: eighteen",
            r"rules\[0\]: operator 'lt' compares numbers; got the text 'eighteen'",
        ),
        (
            "payment_methods: [prepayment]",
            "payment_methods: [cash]",
            r"bands\[4\]\.terms\.payment_methods\[0\]: .*; got 'cash'",
        ),
        (
            "credit_limit: {fixed: 0}",
            "credit_limit: {fixed: 0, fraction_of_amount: 1}",
            r"bands\[4\]\.terms\.credit_limit: give exactly one of "
            r"fraction_of_amount or fixed",
        ),
        ("cutoffs:", "cut_offs:", r"cutoffs: Field required"),
        ("id: R03_LONG_TERM", "id: R01_UNDERAGE", r"rules: rule ids must be unique"),
        ("share: 0.02", "share: 1.5", r"quality_sample\.share: .*; got 1\.5"),
    ],
)
def test_invalid_policy_names_path_field_and_value(
    shipped_text: str, old: str, new: str, message: str
) -> None:
    assert old in shipped_text
    broken = shipped_text.replace(old, new, 1)

    with pytest.raises(PolicyError, match=message) as info:
        parse_policy(broken, "broken.yaml")

    assert "policy broken.yaml is invalid" in str(info.value)


def test_policy_that_is_not_yaml_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")

    with pytest.raises(PolicyError, match=r"must be a mapping of fields; got list"):
        load_policy(path)


def test_missing_policy_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"nope\.yaml cannot be read"):
        load_policy(tmp_path / "nope.yaml")


def test_broken_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")

    with pytest.raises(PolicyError, match=r"bad\.yaml is not valid YAML"):
        load_policy(path)
