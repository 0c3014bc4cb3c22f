"""Any CSV in, any CSV out: separator, decimal comma and encoding detection.

German spreadsheets write ``;`` as separator, a decimal comma and often
Latin-1 (cp1252); international ones ``,``, a decimal point and UTF-8.
:func:`read_table` detects the three from the file's first lines unless flags
set them, and :func:`detect_id_columns` names the columns that identify a row
(they are never used as model inputs).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
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


class NumberFormatError(ValueError):
    """A cell is not a number as written under the file's decimal mark."""


def check_marks(sep: str | None, decimal: str | None) -> None:
    """Refuse a decimal mark other than ``,``/``.`` or one equal to the separator."""
    if decimal is not None and decimal not in (",", "."):
        raise DataError(
            f"decimal mark {decimal!r} is not supported: use --decimal , or --decimal ."
        )
    if sep is not None and len(sep) != 1:
        raise DataError(f"separator {sep!r} must be a single character (e.g. ; or ,)")
    if sep is not None and sep == decimal:
        raise DataError(f"separator and decimal mark cannot both be {sep!r}")


def parse_number(text: str, decimal: str | None) -> int | float:
    """One cell as a number, strictly, under decimal mark ``decimal``.

    The other mark may group thousands, but only in groups of exactly three
    digits after a first group of one to three (``12.000,50`` with a decimal
    comma, ``1,250.50`` with a decimal point). A number without a decimal
    mark stays an ``int``. With ``decimal`` None (unknown), a text read both
    ways must give the same number: ``2,500`` could be 2500 or 2.5 and is
    refused as ambiguous, ``1,250.50`` can only be 1250.5.

    Raises
    ------
    NumberFormatError
        With a readable reason, when the text is not such a number.
    """
    cleaned = text.strip()
    if decimal is None:
        readings: dict[str, int | float] = {}
        for mark in (".", ","):
            try:
                readings[mark] = parse_number(cleaned, mark)
            except NumberFormatError:
                continue
        if not readings:
            raise NumberFormatError("not a number")
        values = set(readings.values())
        if len(values) > 1:
            raise NumberFormatError(
                "ambiguous number: "
                + " or ".join(f"{v:g}" for v in sorted(values))
                + " (set the decimal mark with --decimal , or --decimal .)"
            )
        return next(iter(readings.values()))
    if not any(c.isascii() and c.isdigit() for c in cleaned):
        raise NumberFormatError("not a number")
    group = "." if decimal == "," else ","
    sign = ""
    if cleaned[:1] in "+-":
        sign, cleaned = cleaned[:1], cleaned[1:]
    whole, mark, fraction = cleaned.partition(decimal)
    if mark and not (fraction.isascii() and fraction.isdigit()):
        raise NumberFormatError(f"not a number with decimal mark {decimal!r}")
    if group in whole:
        parts = whole.split(group)
        if not (
            all(p.isascii() and p.isdigit() for p in parts)
            and 1 <= len(parts[0]) <= 3
            and all(len(p) == 3 for p in parts[1:])
        ):
            raise NumberFormatError(
                f"not a number with decimal mark {decimal!r} "
                f"(thousands grouped by {group!r} need groups of 3 digits)"
            )
        whole = "".join(parts)
    if not (whole.isascii() and whole.isdigit()):
        raise NumberFormatError(
            f"not a number with decimal mark {decimal!r}" if whole else "not a number"
        )
    if not mark:
        return int(sign + whole)
    return float(f"{sign}{whole}.{fraction}")


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


@dataclass
class TextTable:
    """A CSV read as text: every cell as typed (None when empty).

    ``lines[i]`` is the file line on which data row ``i + 1`` starts (the
    header is line 1; blank lines are skipped, so rows and lines can differ).
    ``decimal`` is the mark numbers are read with: set by flag, detected from
    cells that read as a number under one mark only, or None (unknown: each
    cell must then read the same under both).
    """

    frame: pd.DataFrame
    lines: list[int]
    sep: str
    decimal: str | None
    decimal_source: str
    encoding: str


def detect_decimal_strict(rows: list[list[str]]) -> str | None:
    """The mark under which more cells read as a number than under the other.

    A cell counts only when it reads as a number under one mark alone
    (``1,250.50``, ``2,5``, ``99.50``); None when no cell decides or the
    counts tie.
    """
    votes = {".": 0, ",": 0}
    for row in rows:
        for cell in row:
            readable = []
            for mark in (".", ","):
                try:
                    parse_number(cell, mark)
                except NumberFormatError:
                    continue
                readable.append(mark)
            if len(readable) == 1:
                votes[readable[0]] += 1
    if votes["."] == votes[","]:
        return None
    return "." if votes["."] > votes[","] else ","


def read_text_table(
    path: Path | str,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
) -> TextTable:
    """Read a CSV of applications cell by cell as text, keeping line numbers.

    Numbers are not converted here: validation parses each cell strictly
    under :attr:`TextTable.decimal`, so that an ambiguous or malformed number
    is a reject naming its row and raw text, never a silent misreading.

    Raises
    ------
    DataError
        When the file is missing, empty, not decodable, a row has more cells
        than the header, or the flags are invalid.
    """
    check_marks(sep, decimal)
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file {path} does not exist.", path=str(path))
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"data file {path} is empty.", path=str(path))
    encoding = encoding or detect_encoding(raw[:_SAMPLE_BYTES])
    try:
        text = raw.decode(encoding)
    except LookupError as exc:
        raise DataError(f"unknown encoding {encoding!r} for {path}.") from exc
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path} is not valid {encoding} at byte {exc.start}: "
            "set the file encoding with --encoding (e.g. cp1252)"
        ) from exc
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    sep = sep or detect_separator(sample)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    last_line = 0
    try:
        for cells in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                doubled = sorted({c for c in header if header.count(c) > 1})
                if doubled:
                    raise DataError(
                        f"{path}: column(s) {doubled} appear more than once "
                        "in the header"
                    )
                continue
            if len(cells) > len(header):
                raise DataError(
                    f"{path} line {start}: {len(cells)} fields, the header has "
                    f"{len(header)} (is the separator {sep!r} right? set it "
                    "with --sep)",
                    line=start,
                )
            rows.append([c.strip() for c in cells] + [""] * (len(header) - len(cells)))
            lines.append(start)
    except csv.Error as exc:
        raise DataError(f"cannot read {path} as CSV (sep={sep!r}): {exc}") from exc
    if header is None:
        raise DataError(f"data file {path} is empty.", path=str(path))
    source = "set"
    if decimal is None:
        decimal = detect_decimal_strict(rows)
        source = "detected" if decimal else "unknown"
    frame = pd.DataFrame(
        [[c if c else None for c in row] for row in rows],
        columns=header,
        dtype=object,
    )
    logger.info(
        "read %s as text: %d rows (sep=%r, decimal=%r %s, encoding=%s)",
        path,
        len(frame),
        sep,
        decimal,
        source,
        encoding,
    )
    return TextTable(frame, lines, sep, decimal, source, encoding)


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
    table = read_text_table(path, sep=sep, decimal=decimal, encoding=encoding)
    frame = table.frame
    for column in frame.columns:
        frame[column] = _column_values(frame[column], column, table)
    logger.info(
        "read %s: %d rows, %d columns (sep=%r, decimal=%r, encoding=%s)",
        path,
        len(frame),
        frame.shape[1],
        table.sep,
        table.decimal,
        table.encoding,
    )
    return frame


# Cells pandas would read as missing; "none" stays text (a German-credit value).
_MISSING = {"", "na", "n/a", "nan", "null"}
# A column whose cells are at least this share numbers is a number column:
# its other cells are errors, never silently turned into text or missing.
_NUMERIC_SHARE = 0.9


def _column_values(values: pd.Series, column: str, table: TextTable) -> pd.Series:
    """One column as numbers when its cells are numbers, strictly parsed.

    Each cell is read with :func:`parse_number` under the file's decimal mark,
    so ``99.50`` in a decimal-comma file is an error, not 9950. Blank cells
    among numbers become missing values.
    """
    cells = [None if v is None or str(v).lower() in _MISSING else v for v in values]
    present = [(i, c) for i, c in enumerate(cells) if c is not None]
    if not present:
        return pd.Series(float("nan"), index=values.index, dtype="float64")
    parsed: list[int | float | None] = [None] * len(cells)
    failures: list[tuple[int, str, str]] = []
    for i, cell in present:
        try:
            parsed[i] = parse_number(cell, table.decimal)
        except NumberFormatError as exc:
            failures.append((i, cell, str(exc)))
    if len(failures) == len(present):
        return pd.Series(cells, index=values.index, dtype=object)
    if failures and 1 - len(failures) / len(present) < _NUMERIC_SHARE:
        return pd.Series(cells, index=values.index, dtype=object)
    if failures:
        shown = "; ".join(
            f"line {table.lines[i]}: {cell!r} ({reason})"
            for i, cell, reason in failures[:5]
        )
        raise DataError(
            f"column {column!r} holds numbers, but {len(failures)} cell(s) are "
            f"not numbers under decimal mark {table.decimal!r}: {shown}",
            field=column,
            row=failures[0][0] + 1,
        )
    if all(isinstance(v, int) for v in parsed):
        return pd.Series(parsed, index=values.index, dtype="int64")
    return pd.Series(
        [float("nan") if v is None else float(v) for v in parsed],
        index=values.index,
        dtype="float64",
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
    "NumberFormatError",
    "TextTable",
    "check_marks",
    "detect_decimal",
    "detect_decimal_strict",
    "detect_encoding",
    "detect_id_columns",
    "detect_separator",
    "parse_number",
    "read_table",
    "read_text_table",
    "write_table",
]
