"""Invoices with due and settled dates (IBM accounts-receivable sample).

2,466 invoices of 100 customers, issued 2012-01-03 to 2013-12-02, each with its
due date (30 days after the invoice), settled date and days late. The loader
renames the columns to snake case, parses the M/D/YYYY dates and checks that
``days_late`` and ``days_to_settle`` agree with the dates.

The settled date, days to settle and days late are *outcomes*: they are known
only once the invoice is settled. :mod:`finduo.behaviour.invoices` uses them
only for invoices settled by the as-of date. The ``disputed`` flag is treated
the same way (the file does not say when a dispute was raised).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from finduo.errors import ConfigError, DataError, RowError
from finduo.settings import get_settings

logger = logging.getLogger(__name__)

NAME = "ibm-accounts-receivable"
FILE_NAME = "WA_Fn-UseC_-Accounts-Receivable.csv"
ID_COLUMN = "invoice_number"
CUSTOMER = "customer_id"
TARGET = "late"
DATE_COLUMNS = ("paperless_date", "invoice_date", "due_date", "settled_date")
COLUMNS = (
    "country_code",
    CUSTOMER,
    "paperless_date",
    ID_COLUMN,
    "invoice_date",
    "due_date",
    "invoice_amount",
    "disputed",
    "settled_date",
    "paperless_bill",
    "days_to_settle",
    "days_late",
)
_RENAME = {
    "countryCode": "country_code",
    "customerID": CUSTOMER,
    "PaperlessDate": "paperless_date",
    "invoiceNumber": ID_COLUMN,
    "InvoiceDate": "invoice_date",
    "DueDate": "due_date",
    "InvoiceAmount": "invoice_amount",
    "Disputed": "disputed",
    "SettledDate": "settled_date",
    "PaperlessBill": "paperless_bill",
    "DaysToSettle": "days_to_settle",
    "DaysLate": "days_late",
}


def data_path(path: Path | None = None) -> Path:
    """Where the invoice CSV is: ``path`` or under ``FINDUO_DATA_DIR``."""
    if path is not None:
        return path
    data_dir = get_settings().data_dir
    if data_dir is None:
        raise ConfigError(
            f"FINDUO_DATA_DIR is not set; point it at the folder holding {NAME}/."
        )
    return data_dir / NAME / FILE_NAME


def _parse_dates(frame: pd.DataFrame, column: str) -> pd.Series:
    parsed = pd.to_datetime(frame[column], format="%m/%d/%Y", errors="coerce")
    bad = parsed.isna() & frame[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise RowError(
            row + 1, column, "must be a date as M/D/YYYY", frame[column].iloc[row]
        )
    return parsed


def _yes_no(frame: pd.DataFrame, column: str, yes: str, no: str) -> pd.Series:
    values = frame[column].astype(str).str.strip()
    bad = ~values.isin([yes, no])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise RowError(
            row + 1, column, f"must be {yes!r} or {no!r}", frame[column].iloc[row]
        )
    return values == yes


def load_invoices(path: Path | None = None) -> pd.DataFrame:
    """Load the invoices; one row per invoice, oldest first.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS` (dates as ``datetime64``, ``disputed`` and
        ``paperless_bill`` as bool: electronic bill = True) plus
        :data:`TARGET` = ``days_late > 0``. An invoice not yet settled has
        no ``settled_date`` (NaT) and no days late.
    """
    csv = data_path(path)
    if not csv.is_file():
        raise DataError(f"invoice data file not found: {csv}", path=str(csv))
    raw = pd.read_csv(csv, dtype={"invoiceNumber": str, "customerID": str})
    missing = sorted(set(_RENAME) - set(raw.columns))
    if missing:
        raise DataError(f"{csv.name} lacks the columns {missing}", path=str(csv))
    frame = raw.rename(columns=_RENAME)[list(COLUMNS)].copy()
    return prepare_invoices(frame)


def prepare_invoices(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate and type an invoice frame in finduo's column names."""
    frame = frame.copy()
    for column in DATE_COLUMNS:
        if not pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = _parse_dates(frame, column)
    for column in ("invoice_date", "due_date", CUSTOMER, ID_COLUMN):
        bad = frame[column].isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise RowError(row + 1, column, "is missing", None)
    if frame["disputed"].dtype != bool:
        frame["disputed"] = _yes_no(frame, "disputed", "Yes", "No")
    if frame["paperless_bill"].dtype != bool:
        frame["paperless_bill"] = _yes_no(
            frame, "paperless_bill", "Electronic", "Paper"
        )
    early = (frame["due_date"] < frame["invoice_date"]).to_numpy()
    if early.any():
        row = int(np.flatnonzero(early)[0])
        raise RowError(
            row + 1,
            "due_date",
            "lies before the invoice date",
            str(frame["due_date"].iloc[row].date()),
        )
    settled = frame["settled_date"].notna()
    late_days = (frame["settled_date"] - frame["due_date"]).dt.days.clip(lower=0)
    mismatch = (settled & (late_days != frame["days_late"])).to_numpy()
    if mismatch.any():
        row = int(np.flatnonzero(mismatch)[0])
        raise RowError(
            row + 1,
            "days_late",
            "disagrees with settled_date - due_date",
            frame["days_late"].iloc[row],
        )
    duplicated = frame[ID_COLUMN].duplicated().to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise RowError(
            row + 1,
            ID_COLUMN,
            "invoice number occurs twice",
            frame[ID_COLUMN].iloc[row],
        )
    frame[TARGET] = np.where(settled, frame["days_late"].fillna(0) > 0, np.nan)
    if settled.all():
        frame[TARGET] = frame[TARGET].astype(np.int64)
    frame = frame.sort_values(["invoice_date", ID_COLUMN], kind="stable")
    logger.info(
        "loaded %d invoices of %d customers", len(frame), frame[CUSTOMER].nunique()
    )
    return frame.reset_index(drop=True)


__all__ = [
    "COLUMNS",
    "CUSTOMER",
    "ID_COLUMN",
    "NAME",
    "TARGET",
    "data_path",
    "load_invoices",
    "prepare_invoices",
]
