"""Invoice loader: dates, flags, consistency checks."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets import invoices
from finduo.errors import RowError
from finduo.settings import get_settings

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real data from FINDUO_DATA_DIR, else the checkout's ../shared/data."""
    if not os.environ.get("FINDUO_DATA_DIR"):
        monkeypatch.setenv("FINDUO_DATA_DIR", str(SHARED_DATA))
    get_settings.cache_clear()


def test_load_invoices_parses_dates_and_keeps_leading_zeros() -> None:
    frame = invoices.load_invoices()

    assert len(frame) == 2466
    assert frame["customer_id"].nunique() == 100
    assert frame["invoice_date"].min() == pd.Timestamp("2012-01-03")
    assert frame["invoice_date"].is_monotonic_increasing
    assert frame["invoice_number"].str.startswith("0").any()
    assert int(frame[invoices.TARGET].sum()) == 877
    assert int(frame["disputed"].sum()) == 561


def test_prepare_invoices_rejects_days_late_that_disagree_with_dates() -> None:
    frame = invoices.load_invoices().head(10).copy()
    frame.loc[6, "days_late"] = frame.loc[6, "days_late"] + 3

    with pytest.raises(RowError, match=r"row 7, field 'days_late'"):
        invoices.prepare_invoices(frame)


def test_prepare_invoices_names_a_bad_date() -> None:
    frame = invoices.load_invoices().head(4).copy()
    frame["due_date"] = frame["due_date"].dt.strftime("%m/%d/%Y").astype(object)
    frame.loc[2, "due_date"] = "13/45/2013"

    with pytest.raises(RowError, match=r"row 3, field 'due_date'.*M/D/YYYY"):
        invoices.prepare_invoices(frame)
