"""Taiwan loader: renamed wide layout, validation errors, long layout."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets import taiwan
from finduo.errors import RowError
from finduo.settings import get_settings

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real data from FINDUO_DATA_DIR, else the checkout's ../shared/data."""
    if not os.environ.get("FINDUO_DATA_DIR"):
        monkeypatch.setenv("FINDUO_DATA_DIR", str(SHARED_DATA))
    get_settings.cache_clear()


def test_load_taiwan_renames_months_from_the_as_of_month_back() -> None:
    frame = taiwan.load_taiwan()

    assert len(frame) == 30000
    assert frame[taiwan.TARGET].sum() == 6636
    first = frame.iloc[0]
    # ID 1 in the file: PAY_0=2, PAY_2=2, PAY_3=-1, BILL_AMT1=3913, PAY_AMT2=689.
    assert first[taiwan.ID_COLUMN] == "1"
    assert first["pay_status_1"] == 2 and first["pay_status_3"] == -1
    assert first["bill_amt_1"] == 3913 and first["pay_amt_2"] == 689


def test_validate_wide_names_row_field_and_value() -> None:
    frame = taiwan.load_taiwan().head(5).copy()
    frame.loc[3, "pay_status_2"] = 12

    with pytest.raises(RowError, match=r"row 4, field 'pay_status_2'") as info:
        taiwan.validate_wide(frame)

    assert info.value.value == 12


def test_to_long_puts_month_1_in_september_2005() -> None:
    wide = taiwan.load_taiwan().head(2)

    long = taiwan.to_long(wide)

    one = long[long["customer_id"] == "1"].set_index("month_end")
    assert len(one) == 6
    assert one.loc[pd.Timestamp("2005-09-30"), "pay_status"] == 2
    assert one.loc[pd.Timestamp("2005-04-30"), "bill_amt"] == 0
    assert one.loc[pd.Timestamp("2005-08-31"), "pay_amt"] == 689


@pytest.mark.parametrize(
    ("back", "expected"),
    [(0, date(2005, 9, 30)), (1, date(2005, 8, 31)), (9, date(2004, 12, 31))],
)
def test_month_end_counts_back_across_years(back: int, expected: date) -> None:
    assert taiwan.month_end(date(2005, 9, 15), back) == expected
