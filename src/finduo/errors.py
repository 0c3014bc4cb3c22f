"""The product's exceptions.

One base class, :class:`FinduoError`; every subclass carries the context a
person needs to fix the cause (row, field, value, rule, case id). The HTTP API
and the CLI map them to statuses and exit codes in one place each, through the
``http_status`` and ``exit_code`` attributes declared here::

    FinduoError
    ├── ConfigError            settings or artifacts missing or invalid
    ├── DataError              a data file cannot be read or decoded
    │   └── RowError           one row of a batch: row number, field, reason
    ├── PolicyError            a policy file is invalid (path, field, reason)
    ├── ModelError             a model artifact is missing or inconsistent
    ├── NotFoundError          a decision, case, user ... does not exist
    ├── ConflictError          a concurrent change won first (case resolved)
    ├── AuthError              no valid identity          (HTTP 401)
    ├── PermissionDenied       identity lacks the role    (HTTP 403)
    ├── IdempotencyError       key reused with another body (HTTP 422)
    ├── StoreUnavailable       the database cannot be reached (HTTP 503)
    └── AuditError             the audit chain does not verify
"""

from __future__ import annotations

from typing import Any


class FinduoError(Exception):
    """Base of every error finduo raises on purpose."""

    http_status: int = 400
    exit_code: int = 1

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


class ConfigError(FinduoError):
    http_status = 500
    exit_code = 2


class DataError(FinduoError):
    exit_code = 3


class RowError(DataError):
    """One invalid row of a batch; ``row`` counts from 1 (header excluded)."""

    http_status = 422

    def __init__(self, row: int, field: str, reason: str, value: Any = None) -> None:
        super().__init__(
            f"row {row}, field {field!r}: {reason}",
            row=row,
            field=field,
            value=value,
        )
        self.row = row
        self.field = field
        self.reason = reason
        self.value = value


class PolicyError(FinduoError):
    exit_code = 4


class ModelError(FinduoError):
    http_status = 500
    exit_code = 5


class NotFoundError(FinduoError):
    http_status = 404
    exit_code = 6


class ConflictError(FinduoError):
    http_status = 409
    exit_code = 7


class AuthError(FinduoError):
    http_status = 401
    exit_code = 8


class PermissionDenied(FinduoError):
    http_status = 403
    exit_code = 8


class IdempotencyError(FinduoError):
    http_status = 422
    exit_code = 9


class StoreUnavailable(FinduoError):
    http_status = 503
    exit_code = 10


class AuditError(FinduoError):
    exit_code = 11


__all__ = [
    "AuditError",
    "AuthError",
    "ConfigError",
    "ConflictError",
    "DataError",
    "FinduoError",
    "IdempotencyError",
    "ModelError",
    "NotFoundError",
    "PermissionDenied",
    "PolicyError",
    "RowError",
    "StoreUnavailable",
]
