"""What stands between a request and the API: a body size limit (413), a JSON nesting limit (422), validation errors
that never echo the input, and a request id on every answer; an unexpected exception is logged with its traceback and
answered 500 with that id (the body never shows the traceback).

The body guard is plain ASGI middleware: it reads at most ``max_body_bytes`` (whatever ``Content-Length`` claims),
measures the JSON nesting without recursion, then replays the body to the app.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from silkway import jsonsafe

log = logging.getLogger("silkway.web")
MAX_NESTING = 32  # deepest JSON nesting accepted (a real request uses 2)
SHOWN_CHARS = 200  # longest piece of a request echoed in an error
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def json_depth(body: bytes) -> int:
    """Deepest nesting of arrays and objects in a JSON text (strings ignored); no recursion, vectorised."""
    if body.count(b"[") + body.count(b"{") <= MAX_NESTING:
        return MAX_NESTING  # cannot be deeper: skip the scan
    codes = np.frombuffer(_STRING.sub(b'""', body), np.uint8)
    step = np.isin(codes, _OPEN).astype(np.int32) - np.isin(codes, _CLOSE).astype(np.int32)
    return int(np.cumsum(step).max(initial=0))


class BodyGuard:
    """ASGI middleware: 413 for a body over ``max_bytes``, 422 for JSON nested deeper than :data:`MAX_NESTING`,
    and an ``x-request-id`` header on every HTTP answer (``scope['state']['request_id']``)."""

    def __init__(self, app: Any, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send_with_id)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _answer(send_with_id, 413, f"the request body is larger than {self.max_bytes:,} bytes")
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                await _answer(send_with_id, 413, f"the request body is larger than {self.max_bytes:,} bytes")
                return
        body = b"".join(chunks)
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if b"json" in content_type and json_depth(body) > MAX_NESTING:
            await _answer(send_with_id, 422, f"the JSON body is nested more than {MAX_NESTING} levels deep")
            return
        await self.app(scope, replaying(body, receive), send_with_id)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the already read ``body`` first (one message), then the real messages."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message, "error": "RequestRejected"}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def shown(value: Any) -> Any:
    """A piece of a request as an error may show it: short strings and numbers only (no NaN), the rest summarised."""
    if isinstance(value, str):
        return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + f"… ({len(value):,} characters)"
    if isinstance(value, bool | int | None):
        return value if not isinstance(value, int) or abs(value) < 10**30 else f"(a {len(str(abs(value)))}-digit number)"
    if isinstance(value, float):
        return jsonsafe.finite(value) if jsonsafe.finite(value) is not None else str(value)
    return f"({type(value).__name__})"


def add_guards(app: FastAPI, max_body_bytes: int) -> None:
    """Install the body guard, the validation-error and the unexpected-error handlers on ``app``."""
    app.add_middleware(BodyGuard, max_bytes=max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"type": e.get("type"), "loc": [shown(p) for p in e.get("loc", ())][:10], "msg": shown(e.get("msg", "")),
                   "input": shown(e.get("input"))} for e in exc.errors()[:20]]
        return JSONResponse(status_code=422, content=jsonsafe.finite({"detail": errors}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = request.scope.get("state", {}).get("request_id", "-")
        log.error("request %s %s %s failed", rid, request.method, request.url.path, exc_info=exc)
        return JSONResponse(status_code=500, content={"detail": "internal error: the server logged it with this request id",
                                                      "request_id": rid, "error": "InternalError"})
