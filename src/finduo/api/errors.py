"""The one place that turns errors into HTTP answers.

Every product error (:class:`finduo.errors.FinduoError`) carries its status in
``http_status``; request validation errors become a 422 that names, for each
field, what was expected and what came. Bodies share one shape::

    {"error": "not_found", "message": "...", "detail": [...]}
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from finduo.errors import FinduoError, StoreUnavailable

log = logging.getLogger(__name__)

_MAX_ECHO_CHARS = 200
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_EXPECTED_PREFIXES = ("Input should be ", "Value should be ", "Value error, ")


def error_code(exc: FinduoError) -> str:
    """``NotFoundError`` -> ``not_found``: the stable code clients switch on."""
    name = type(exc).__name__.removesuffix("Error")
    return _CAMEL.sub("_", name).lower()


def _json_safe(value: Any) -> Any:
    """``value`` with non-finite numbers (NaN, Infinity) as text: JSON has none."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _echo(value: Any) -> Any:
    """The offending input, cut short so that an error never balloons."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'nan', 'inf': JSON has no such numbers
    if isinstance(value, str | int | float | bool) or value is None:
        if isinstance(value, str) and len(value) > _MAX_ECHO_CHARS:
            return value[:_MAX_ECHO_CHARS] + "..."
        return value
    text = repr(value)
    if len(text) > _MAX_ECHO_CHARS:
        return text[:_MAX_ECHO_CHARS] + "..."
    return _json_safe(jsonable_encoder(value))


def _expected(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "a value (the field is required)"
    if kind == "extra_forbidden":
        return "no such field (unknown fields are refused)"
    message = str(error.get("msg", ""))
    for prefix in _EXPECTED_PREFIXES:
        if message.startswith(prefix):
            return message.removeprefix(prefix)
    return message


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as ``{"field", "expected", "got", "message"}`` items.

    ``field`` is the dotted path inside the body (``applications.3.age``);
    ``got`` echoes the value that came, or is absent when nothing came.
    """
    out: list[dict[str, Any]] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "header"}:
            where, loc = loc[0], loc[1:]
        else:
            where = "body"
        item: dict[str, Any] = {
            "field": ".".join(loc) or where,
            "in": where,
            "expected": _expected(error),
            "message": str(error.get("msg", "")),
        }
        if error.get("type") != "missing":
            item["got"] = _echo(error.get("input"))
        out.append(item)
    return out


def _context(context: dict[str, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key, value in context.items():
        try:
            out[key] = _json_safe(jsonable_encoder(value))
        except (TypeError, ValueError):
            out[key] = str(value)
    return out or None


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    return body


def finduo_error_answer(
    exc: FinduoError, where: str
) -> tuple[int, dict[str, Any], dict[str, str] | None]:
    """Status, body and headers of the answer to a product error."""
    status = exc.http_status
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, where, exc.message)
    headers = {"Retry-After": "1"} if isinstance(exc, StoreUnavailable) else None
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    # Internals of a server-side error stay in the log.
    detail = _context(exc.context) if status < 500 else None
    return status, error_body(error_code(exc), exc.message, detail), headers


async def _finduo_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FinduoError)
    status, body, headers = finduo_error_answer(exc, request.url.path)
    return JSONResponse(body, status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = field_errors(exc.errors())
    fields = ", ".join(item["field"] for item in items[:10])
    return JSONResponse(
        error_body("validation", f"the request is invalid: {fields}", items),
        status_code=422,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http"
    )
    return JSONResponse(
        error_body(code, str(exc.detail)),
        status_code=exc.status_code,
        headers=exc.headers,
    )


UNEXPECTED = error_body("internal", "an unexpected error occurred; it has been logged.")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(UNEXPECTED, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(FinduoError, _finduo_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


__all__ = [
    "UNEXPECTED",
    "error_body",
    "error_code",
    "field_errors",
    "finduo_error_answer",
    "install_error_handlers",
]
