"""Fixtures of the behaviour tests: the real data sets."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from finduo.datasets import invoices, taiwan
from finduo.settings import get_settings

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real data from FINDUO_DATA_DIR, else the checkout's ../shared/data."""
    if not os.environ.get("FINDUO_DATA_DIR"):
        monkeypatch.setenv("FINDUO_DATA_DIR", str(SHARED_DATA))
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def taiwan_wide() -> pd.DataFrame:
    if not os.environ.get("FINDUO_DATA_DIR"):
        return taiwan.load_taiwan(SHARED_DATA / taiwan.NAME / taiwan.FILE_NAME)
    return taiwan.load_taiwan()


@pytest.fixture(scope="session")
def invoice_frame() -> pd.DataFrame:
    if not os.environ.get("FINDUO_DATA_DIR"):
        return invoices.load_invoices(SHARED_DATA / invoices.NAME / invoices.FILE_NAME)
    return invoices.load_invoices()
