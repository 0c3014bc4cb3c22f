"""The hot route, ``POST /v1/decisions``, answered without the framework's detours.

FastAPI spends more CPU on one decision request (middleware layers,
dependency resolution, body parsing and re-encoding) than the engine spends
deciding it. This handler sits in front of the app and answers the plain,
valid request itself — the one every business unit sends thousands of times
a minute: a JSON body within the size limit, a token that may decide, a
well-formed ``Idempotency-Key`` or none, an application the request model
accepts. It does what the FastAPI route does, in the same order and with the
same calls: who is asking, :meth:`Service.decide` (whose engine validates
with the route's request model: strict, unknown fields refused), the same
answer and headers, the same metrics.

Anything else — no or an unknown token, a missing role, another content
type, an oversized or malformed body, a field error — is handed on
*unchanged* to the FastAPI app (the body already read is replayed to it), so
every refusal keeps its one implementation and its tests. The OpenAPI
description of the route stays FastAPI's.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finduo.api.errors import UNEXPECTED, finduo_error_answer
from finduo.api.schemas import DecisionOut
from finduo.api.service import Service
from finduo.decisions.validation import InvalidApplication
from finduo.errors import AuthError, FinduoError, PermissionDenied
from finduo.identity import Permission

log = logging.getLogger(__name__)

PATH = "/v1/decisions"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_JSON_TYPES = (b"application/json",)


class _HandOn(Exception):
    """Not the plain case: the FastAPI app answers this request.

    ``body`` holds what was read of the request body before it was judged
    (None: nothing was read); the app receives it first.
    """

    def __init__(self, body: bytes | None = None) -> None:
        super().__init__()
        self.body = body


class DecisionFastPath:
    """ASGI wrapper: plain decision requests here, everything else to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        service: Service,
        max_bytes: int,
    ) -> None:
        self.app = app
        self.service = service
        self.max_bytes = max_bytes
        self.answered = 0  # requests this handler answered itself (tests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
            or scope.get("query_string")  # options (redecide): the route's
        ):
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        body: bytes | None = None
        try:
            headers = _headers(scope)
            identity = self._identity(headers)
            key = _idempotency_key(headers)
            body = await _read_body(receive, headers, self.max_bytes)
            response = await self._decide(_json_object(body), identity, key)
        except _HandOn as hand_on:
            read = body if body is not None else hand_on.body
            await self.app(
                scope, receive if read is None else _replay(read, receive), send
            )
            return
        await response(scope, receive, send)
        self.answered += 1
        self.service.metrics.observe_request(
            "POST", PATH, response.status_code, perf_counter() - started
        )

    # -- the checks the FastAPI route makes, for the plain case only ----------

    def _identity(self, headers: dict[bytes, bytes]) -> str:
        authorization = headers.get(b"authorization")
        if authorization is None:
            raise _HandOn
        try:
            identity = self.service.identify(authorization.decode("latin-1"))
            identity.require(Permission.DECIDE)
        except (AuthError, PermissionDenied):
            raise _HandOn from None
        return identity.name

    # -- deciding and answering -----------------------------------------------

    async def _decide(
        self, application: dict[str, Any], actor: str, key: str | None
    ) -> Response:
        """The answer to a decision request, once its decision is committed.

        The engine validates the application with the route's own request
        model, first and without side effects: a field error is handed to
        FastAPI, whose answer names every field (the model is not run twice).
        """
        try:
            recorded = await self.service.decide(
                application, actor=actor, idempotency_key=key
            )
        except InvalidApplication:
            raise _HandOn from None
        except FinduoError as exc:
            status, body, headers = finduo_error_answer(exc, f"POST {PATH}")
            return JSONResponse(body, status_code=status, headers=headers)
        except Exception:
            log.exception("unexpected error on POST %s", PATH)
            return JSONResponse(UNEXPECTED, status_code=500)
        # As the FastAPI route answers: serialised once, replay header.
        return Response(
            DecisionOut(
                decision=recorded.decision,
                case_id=recorded.case_id,
                replayed=recorded.replayed,
            ).model_dump_json(),
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"} if recorded.replayed else None,
        )


def _json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; anything else is FastAPI's 422."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise _HandOn from None
    if not isinstance(parsed, dict):
        raise _HandOn
    return parsed


def _headers(scope: Scope) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in found:  # a repeated header: let the framework judge it
            raise _HandOn
        found[name] = value
    content_type = found.get(b"content-type")
    if content_type is not None:
        main = content_type.split(b";", 1)[0].strip().lower()
        if main not in _JSON_TYPES:
            raise _HandOn
    return found


def _idempotency_key(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"idempotency-key")
    if raw is None:
        return None
    key = raw.decode("latin-1")
    if not _KEY.match(key):
        raise _HandOn
    return key


async def _read_body(
    receive: Receive, headers: dict[bytes, bytes], max_bytes: int
) -> bytes:
    declared = headers.get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise _HandOn
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            raise _HandOn(b"".join(chunks))
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > max_bytes:
            # Too large: the app's own limit answers 413 from the replay.
            raise _HandOn(b"".join(chunks))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """``receive`` for the app: the body read so far, then the client's own."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


__all__ = ["PATH", "DecisionFastPath"]
