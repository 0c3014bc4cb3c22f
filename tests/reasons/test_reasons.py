"""Reasons: catalogue wording, ranking, only raising contributions, never protected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finduo.datasets import german
from finduo.errors import ConfigError
from finduo.models import RiskModel
from finduo.reasons import Catalogue, default_catalogue, top_reasons


def test_catalogue_words_every_decoded_german_value_in_both_languages() -> None:
    catalogue = default_catalogue()

    for column, codes in german.code_table().items():
        if column in german.PROTECTED:
            assert column not in catalogue.features
            continue
        for value in codes.values():
            if value == "education":  # code A47 has no rows; still worded
                pass
            code, text = catalogue.word(column, value)
            assert not code.startswith("GEN_"), (column, value)
            assert text["en"] and text["de"]


def test_corrected_checking_account_meaning_is_worded() -> None:
    code, text = default_catalogue().word("checking_account", "no checking account")

    assert code == "CHK_NONE"
    assert text == {"en": "no checking account", "de": "kein Girokonto"}


@pytest.mark.parametrize(
    ("value", "code", "english"),
    [
        (48, "DUR_GT36", "duration over 36 months (48 months)"),
        (30, "DUR_GT24", "duration over 24 months (30 months)"),
        (12.0, "DUR", "duration of 12 months"),
    ],
)
def test_numeric_ranges_choose_the_wording(
    value: float, code: str, english: str
) -> None:
    found_code, text = default_catalogue().word("duration_months", value)

    assert (found_code, text["en"]) == (code, english)


def test_unknown_feature_gets_the_generic_wording() -> None:
    code, text = default_catalogue().word("days_past_due", 17)

    assert code == "GEN_DAYS_PAST_DUE"
    assert text == {"en": "days_past_due: 17", "de": "days_past_due: 17"}


def test_unknown_value_of_a_known_feature_gets_its_label() -> None:
    _, text = default_catalogue().word("purpose", "spaceship")

    assert text == {"en": "purpose: spaceship", "de": "Verwendungszweck: spaceship"}


def test_invalid_catalogue_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nfeatures:\n  x: {label: {en: a}}\n")

    with pytest.raises(ConfigError, match="invalid reason catalogue"):
        Catalogue.load(path)


@pytest.mark.parametrize("kind", ["lightgbm", "scorecard"])
def test_top_reasons_are_ranked_positive_and_at_most_four(
    kind: str, trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    model = trained[kind]
    for index in range(40):
        record = german_frame.iloc[index].to_dict()
        row = model.spec.encode_row(record)

        reasons = top_reasons(model, row, record)

        assert len(reasons) <= 4
        values = [r.contribution for r in reasons]
        assert values == sorted(values, reverse=True)
        assert all(v > 0 for v in values)
        assert not {r.feature for r in reasons} & set(german.PROTECTED)
        assert all(r.text["en"] and r.text["de"] for r in reasons)


def test_risky_applicant_hears_about_checking_account_and_duration(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    record = german_frame.iloc[1].to_dict()  # < 0 DM, 48 months
    model = trained["scorecard"]

    reasons = top_reasons(model, model.spec.encode_row(record), record)

    codes = [r.code for r in reasons]
    assert codes[:2] == ["DUR_GT36", "CHK_NEG"]
    assert reasons[0].value == "48"


def test_protected_argument_removes_a_feature_from_reasons(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    record = german_frame.iloc[1].to_dict()
    model = trained["scorecard"]

    reasons = top_reasons(
        model, model.spec.encode_row(record), record, protected=["duration_months"]
    )

    assert "duration_months" not in {r.feature for r in reasons}
    assert len(reasons) == 4


def test_batch_form_equals_row_by_row(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    model = trained["lightgbm"]
    records = german_frame.iloc[:10].to_dict("records")
    X = model.spec.encode_frame(german_frame.iloc[:10])

    batch = top_reasons(model, X, records, k=3)

    single = [top_reasons(model, X[i : i + 1], records[i], k=3) for i in range(10)]
    assert batch == single


def test_no_reason_when_nothing_raised_the_risk(
    trained: dict[str, RiskModel], german_frame: pd.DataFrame
) -> None:
    model = trained["scorecard"]
    record = german_frame.iloc[0].to_dict()

    reasons = top_reasons(
        model, model.spec.encode_row(record), record, contributions=np.zeros(18)
    )

    assert reasons == []
