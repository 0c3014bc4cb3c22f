"""Taiwan credit-card default data (Yeh & Lien 2009): loader and wide layout.

30,000 card customers with six monthly statements, April to September 2005,
and whether they defaulted in October 2005. The file's columns are renamed to
one scheme in which the month index counts back from the as-of month:
month 1 is September 2005 (the file's ``PAY_0``, ``BILL_AMT1``, ``PAY_AMT1``),
month 6 is April 2005 (``PAY_6``, ``BILL_AMT6``, ``PAY_AMT6``).

Repayment status codes, as adopted by finduo (the paper documents only
-1 = "pay duly" and 1..9 = months of delay; -2 and 0 occur but are not
documented). We read them from the data itself:

* ``-2``: no consumption: no bill to pay that month (the account was not used,
  or the balance was nil or a credit). Not delinquent.
* ``-1``: paid duly: the statement balance was paid in full.
* ``0``: revolving credit: at least the minimum payment was made, the rest
  carried over. Not delinquent.
* ``1..8``: the payment is that many months late (``9`` = nine or more).

Evidence, measured on this file (months 2 and 3, where the next month's
payment is known): ``-2`` months have a bill of zero or below in 56-61 % of
cases and are followed by a payment covering the bill in 97 %; ``-1`` months
are followed by a payment covering the bill in 98-99 %; ``0`` months carry a
median bill of about NT$ 47,000 of which the next payment covers all in only
2 %, while just 6-7 % are delinquent the month after. Only codes >= 1 count
as delinquent in finduo's behavioural features. A quirk to know: code 1
(one month late) occurs 3,688 times in September but only 28 times in
August and 4 times in July, so older months jump from 0 to 2.

Payment amounts: ``PAY_AMT1`` is the amount paid in September 2005, which
settles (part of) the August statement ``BILL_AMT2``. A payment-to-bill ratio
therefore sets ``pay_amt_k`` against ``bill_amt_{k+1}``.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from finduo.errors import ConfigError, DataError, RowError
from finduo.settings import get_settings

logger = logging.getLogger(__name__)

NAME = "taiwan-credit-default"
FILE_NAME = "UCI_Credit_Card.csv"
TARGET = "default_next_month"
ID_COLUMN = "customer_id"
AS_OF = date(2005, 9, 30)
MONTHS = 6
STATUS_CODES = frozenset(range(-2, 10))
PROTECTED = ("sex",)

STATUS_COLUMNS = tuple(f"pay_status_{k}" for k in range(1, MONTHS + 1))
BILL_COLUMNS = tuple(f"bill_amt_{k}" for k in range(1, MONTHS + 1))
PAID_COLUMNS = tuple(f"pay_amt_{k}" for k in range(1, MONTHS + 1))
STATIC_COLUMNS = ("limit_bal", "sex", "education", "marriage", "age")
WIDE_COLUMNS = (
    ID_COLUMN,
    *STATIC_COLUMNS,
    *STATUS_COLUMNS,
    *BILL_COLUMNS,
    *PAID_COLUMNS,
)

_STATUS_SOURCE = ("PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6")
_RENAME = {
    "ID": ID_COLUMN,
    "LIMIT_BAL": "limit_bal",
    "SEX": "sex",
    "EDUCATION": "education",
    "MARRIAGE": "marriage",
    "AGE": "age",
    "default.payment.next.month": TARGET,
    **{src: dst for src, dst in zip(_STATUS_SOURCE, STATUS_COLUMNS, strict=True)},
    **{f"BILL_AMT{k}": f"bill_amt_{k}" for k in range(1, MONTHS + 1)},
    **{f"PAY_AMT{k}": f"pay_amt_{k}" for k in range(1, MONTHS + 1)},
}


def data_path(path: Path | None = None) -> Path:
    """Where the Taiwan CSV is: ``path`` or under ``FINDUO_DATA_DIR``."""
    if path is not None:
        return path
    data_dir = get_settings().data_dir
    if data_dir is None:
        raise ConfigError(
            "FINDUO_DATA_DIR is not set; point it at the folder holding "
            f"{NAME}/{FILE_NAME}."
        )
    return data_dir / NAME / FILE_NAME


def load_taiwan(path: Path | None = None) -> pd.DataFrame:
    """Load the Taiwan file in finduo's wide layout, with the target.

    Returns
    -------
    pandas.DataFrame
        One row per customer; columns :data:`WIDE_COLUMNS` plus
        :data:`TARGET` (1 = default in October 2005). Amounts in NT$.
    """
    csv = data_path(path)
    if not csv.is_file():
        raise DataError(f"Taiwan data file not found: {csv}", path=str(csv))
    frame = pd.read_csv(csv)
    missing = sorted(set(_RENAME) - set(frame.columns))
    if missing:
        raise DataError(
            f"{csv.name} lacks the columns {missing}; is it UCI_Credit_Card.csv?",
            path=str(csv),
        )
    frame = frame.rename(columns=_RENAME)[[*WIDE_COLUMNS, TARGET]]
    validate_wide(frame, require_target=True)
    frame[ID_COLUMN] = frame[ID_COLUMN].astype(np.int64).astype(str)
    for column in (*STATIC_COLUMNS, *STATUS_COLUMNS, TARGET):
        frame[column] = frame[column].astype(np.int64)
    logger.info("loaded %s: %d customers", NAME, len(frame))
    return frame


def validate_wide(frame: pd.DataFrame, *, require_target: bool = False) -> None:
    """Check a frame in the wide layout; raise :class:`RowError` at the first bad value.

    Rows are counted from 1, header excluded. Status codes must lie in -2..9,
    limits must be positive, no value may be missing.
    """
    needed = [*WIDE_COLUMNS, TARGET] if require_target else list(WIDE_COLUMNS)
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DataError(f"wide statement layout lacks the columns {absent}")
    for column in needed:
        if column == ID_COLUMN:
            bad = frame[column].isna().to_numpy()
        else:
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = values.isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise RowError(row + 1, column, "must be a number", frame[column].iloc[row])
    status = frame[list(STATUS_COLUMNS)].to_numpy()
    bad_status = ~np.isin(status, list(STATUS_CODES))
    if bad_status.any():
        row, col = (int(v) for v in np.argwhere(bad_status)[0])
        raise RowError(
            row + 1,
            STATUS_COLUMNS[col],
            "repayment status must be an integer from -2 to 9",
            status[row, col],
        )
    limits = frame["limit_bal"].to_numpy()
    if (limits <= 0).any():
        row = int(np.flatnonzero(limits <= 0)[0])
        raise RowError(row + 1, "limit_bal", "must be positive", limits[row])
    if require_target:
        target = frame[TARGET].to_numpy()
        if not np.isin(target, [0, 1]).all():
            row = int(np.flatnonzero(~np.isin(target, [0, 1]))[0])
            raise RowError(row + 1, TARGET, "must be 0 or 1", target[row])


def month_end(as_of: date, months_back: int) -> date:
    """The last day of the month ``months_back`` months before ``as_of``'s month."""
    year, month = as_of.year, as_of.month - months_back
    while month <= 0:
        month += 12
        year -= 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def to_long(wide: pd.DataFrame, as_of: date = AS_OF) -> pd.DataFrame:
    """Turn the wide layout into the long one: a row per customer and month.

    Month 1 of the wide layout becomes the month of ``as_of`` (default
    September 2005), month 6 the fifth month before it. Columns:
    ``customer_id, month_end, limit_bal, pay_status, bill_amt, pay_amt``.
    """
    parts = []
    for k in range(1, MONTHS + 1):
        part = pd.DataFrame(
            {
                ID_COLUMN: wide[ID_COLUMN].to_numpy(),
                "month_end": pd.Timestamp(month_end(as_of, k - 1)),
                "limit_bal": wide["limit_bal"].to_numpy(),
                "pay_status": wide[f"pay_status_{k}"].to_numpy(),
                "bill_amt": wide[f"bill_amt_{k}"].to_numpy(),
                "pay_amt": wide[f"pay_amt_{k}"].to_numpy(),
            }
        )
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    return long.sort_values([ID_COLUMN, "month_end"], kind="stable").reset_index(
        drop=True
    )


__all__ = [
    "AS_OF",
    "BILL_COLUMNS",
    "ID_COLUMN",
    "MONTHS",
    "NAME",
    "PAID_COLUMNS",
    "PROTECTED",
    "STATIC_COLUMNS",
    "STATUS_COLUMNS",
    "TARGET",
    "WIDE_COLUMNS",
    "data_path",
    "load_taiwan",
    "month_end",
    "to_long",
    "validate_wide",
]
