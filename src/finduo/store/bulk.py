"""Many rows into one table with one driver call: the write path of decisions.

SQLAlchemy's Core ``insert`` runs every value of every row through its type
machinery, and serialises each JSON column with the standard encoder and
its defaults; for the few small rows of a decision that costs more than the
database's own work. :func:`insert_rows` prepares the statement once per
table and backend, applies the same bind processors to the plain columns
(timestamps become naive UTC text on SQLite, stay aware on PostgreSQL), writes
JSON columns as compact JSON text (SQL NULL where the column keeps None as
NULL, as :class:`~sqlalchemy.types.JSON` does), and hands all rows to the
driver's ``executemany`` through the session's own connection: same
transaction, same error types (an ``IntegrityError`` stays one).

What is read back is what the ORM would have written: tests compare both
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import JSON, Connection, Table
from sqlalchemy.engine import Dialect

from finduo.store.tables import Base

Step = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    sql: str
    columns: tuple[str, ...]
    steps: tuple[Step, ...]


_PLANS: dict[tuple[str, str, str], _Plan] = {}
_LOCK = threading.Lock()


class RawJSON(str):
    """A JSON column's value given as its JSON text already (written as is)."""

    __slots__ = ()


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _json_step(none_as_null: bool) -> Callable[[Any], str | None]:
    def dump(value: Any) -> str | None:
        if value is None:
            return None if none_as_null else "null"
        if isinstance(value, RawJSON):
            return str(value)
        return _COMPACT.encode(value)

    return dump


def param_marker(dialect: Dialect) -> str:
    """The driver's positional parameter marker (``?`` or ``%s``)."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _plan(table: Table, dialect: Dialect) -> _Plan:
    key = (table.fullname, dialect.name, str(dialect.paramstyle))
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    columns: list[str] = []
    steps: list[Step] = []
    for column in table.columns:
        columns.append(column.name)
        if isinstance(column.type, JSON):
            steps.append(_json_step(bool(column.type.none_as_null)))
        else:
            steps.append(column.type.dialect_impl(dialect).bind_processor(dialect))
    quote = dialect.identifier_preparer.quote
    marker = param_marker(dialect)
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(name) for name in columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    plan = _Plan(sql, tuple(columns), tuple(steps))
    with _LOCK:
        _PLANS[key] = plan
    return plan


def insert_rows(
    connection: Connection, mapped: type[Base], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` (each a mapping of every column of ``mapped``'s table).

    Raises
    ------
    KeyError
        When a row lacks a column of the table (a programming error).
    sqlalchemy.exc.DBAPIError
        As :meth:`Connection.execute` would (``IntegrityError`` and so on).
    """
    if not rows:
        return
    sql, values = driver_rows(connection.dialect, mapped, rows)
    connection.exec_driver_sql(sql, values)


def driver_rows(
    dialect: Dialect, mapped: type[Base], rows: Sequence[Mapping[str, Any]]
) -> tuple[str, list[tuple[Any, ...]]]:
    """The INSERT statement and the parameter tuples for a DB-API ``executemany``."""
    plan = _plan(cast(Table, mapped.__table__), dialect)
    pairs = tuple(zip(plan.columns, plan.steps, strict=True))
    values = [
        tuple(row[name] if step is None else step(row[name]) for name, step in pairs)
        for row in rows
    ]
    return plan.sql, values


__all__ = ["RawJSON", "driver_rows", "insert_rows", "param_marker"]
