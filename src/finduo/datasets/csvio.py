"""Any CSV in, any CSV out: separator, decimal comma and encoding detection.

German spreadsheets write ``;`` as separator, a decimal comma and often
Latin-1 (cp1252); international ones ``,``, a decimal point and UTF-8.
:func:`read_table` detects the three from the file's first lines unless flags
set them, and :func:`detect_id_columns` names the columns that identify a row
(they are never used as model inputs).
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import pandas as pd

from finduo.errors import DataError

logger = logging.getLogger(__name__)

_SAMPLE_BYTES = 64 * 1024
_SEPARATORS = (";", ",", "\t", "|")
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^-?\d+\.\d+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ID_LAST = {"id", "nr", "no", "number", "nummer", "key", "uuid", "kennung"}
_ID_FIRST = {"id", "nr"}


def detect_encoding(raw: bytes) -> str:
    """``utf-8`` (or with BOM) when the bytes decode as such, else ``cp1252``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a cut multi-byte character at the end of the sample is still UTF-8
        if exc.start < len(raw) - 4:
            return "cp1252"
    return "utf-8"


def detect_separator(lines: list[str]) -> str:
    """The separator that splits the header and the following lines alike."""
    best, best_score = ",", -1.0
    for sep in _SEPARATORS:
        counts = [len(next(csv.reader([line], delimiter=sep))) for line in lines]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        score = consistent * 1000 + counts[0]
        if score > best_score:
            best, best_score = sep, score
    return best


def detect_decimal(lines: list[str], sep: str) -> str:
    """``,`` when number-like fields use a decimal comma, else ``.``."""
    if sep == ",":
        return "."
    comma = point = 0
    for row in csv.reader(lines[1:], delimiter=sep):
        for field in row:
            value = field.strip()
            if _DECIMAL_COMMA.match(value):
                comma += 1
            elif _DECIMAL_POINT.match(value):
                point += 1
    return "," if comma > point else "."


def read_table(
    path: Path | str,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a CSV, detecting what the flags do not set.

    Parameters
    ----------
    path : Path or str
        The file.
    sep, decimal, encoding : str, optional
        Field separator, decimal mark and text encoding; detected when None.

    Returns
    -------
    pandas.DataFrame
        Numbers as numbers (German thousands dots removed when the decimal mark
        is a comma), everything else as text.

    Raises
    ------
    DataError
        When the file is missing, empty or not a table.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file {path} does not exist.", path=str(path))
    with path.open("rb") as handle:
        raw = handle.read(_SAMPLE_BYTES)
    if not raw.strip():
        raise DataError(f"data file {path} is empty.", path=str(path))
    encoding = encoding or detect_encoding(raw)
    try:
        text = raw.decode(encoding, errors="replace")
    except LookupError as exc:
        raise DataError(f"unknown encoding {encoding!r} for {path}.") from exc
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(raw) == _SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    sep = sep or detect_separator(lines)
    decimal = decimal or detect_decimal(lines, sep)
    thousands = "." if decimal == "," else None
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            decimal=decimal,
            thousands=thousands,
            encoding=encoding,
            skipinitialspace=True,
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read {path} as CSV (sep={sep!r}): {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    _blank_numbers_to_missing(frame, decimal, path)
    logger.info(
        "read %s: %d rows, %d columns (sep=%r, decimal=%r, encoding=%s)",
        path,
        len(frame),
        frame.shape[1],
        sep,
        decimal,
        encoding,
    )
    return frame


def _blank_numbers_to_missing(frame: pd.DataFrame, decimal: str, path: Path) -> None:
    """Text columns that are numbers apart from blank cells become numbers.

    Spreadsheets export an empty amount as " "; pandas then reads the whole
    column as text. Such blanks become missing values (counted in the log).
    """
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
            continue
        text = values.astype("string").str.strip()
        blank = text.isna() | (text == "")
        if blank.all() or not blank.any():
            continue
        candidate = text[~blank]
        if decimal == ",":
            candidate = candidate.str.replace(".", "", regex=False)
            candidate = candidate.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(candidate, errors="coerce")
        if numbers.isna().any():
            continue
        converted = pd.Series(float("nan"), index=frame.index, dtype="float64")
        converted[~blank] = numbers.astype("float64")
        frame[column] = converted
        logger.info(
            "%s: column %r has %d blank cells among numbers; read as missing",
            path.name,
            column,
            int(blank.sum()),
        )


def _looks_like_id(name: str) -> bool:
    tokens = [t for t in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if t]
    return bool(tokens) and (tokens[-1] in _ID_LAST or tokens[0] in _ID_FIRST)


def detect_id_columns(df: pd.DataFrame) -> list[str]:
    """Columns that identify a row: named like an id and unique per row.

    A column counts when its name reads like an identifier (``id``,
    ``customer_id``, ``Kunden-Nr``, ``number`` ...), its values are text or
    integers, and no value repeats. Such columns never become model inputs.
    """
    found = []
    for column in df.columns:
        name = str(column)
        if not _looks_like_id(name):
            continue
        values = df[column]
        is_text = pd.api.types.is_string_dtype(values) or values.dtype == object
        if not (is_text or pd.api.types.is_integer_dtype(values)):
            continue
        if values.notna().all() and values.is_unique:
            found.append(name)
    return found


def write_table(df: pd.DataFrame, path: Path | str, german: bool = False) -> Path:
    """Write a CSV: international (``,``, ``.``, UTF-8) or German (``;``, ``,``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if german:
        df.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8")
    else:
        df.to_csv(path, index=False, encoding="utf-8")
    return path


__all__ = [
    "detect_decimal",
    "detect_encoding",
    "detect_id_columns",
    "detect_separator",
    "read_table",
    "write_table",
]
