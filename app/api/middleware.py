"""ASGI middleware: request ids and access logs, the request body size limit, strict JSON."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.credentials.strict_json import StrictJsonViolation, loads_strict
from app.logs import request_id_var
from app.problems import InvalidRequest, Problem, ProblemItem

log = logging.getLogger("xqbadges.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class PayloadTooLarge(Problem):
    status, code, title = 413, "payload-too-large", "Request body too large"


class BodyOverLimit(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit.

    An HTTPException rather than a Problem: FastAPI turns any other error met while reading a
    route's body into a 400 "error parsing the body", but re-raises HTTPExceptions, so this one
    reaches the app's handler and leaves as the same 413 ``payload-too-large`` as a body
    refused by its Content-Length."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)


async def send_problem(send: Send, problem: Problem, instance: str) -> None:
    body = json.dumps(problem.as_dict(instance)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *(
                    (name.lower().encode(), value.encode())
                    for name, value in problem.headers.items()
                ),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Gives every request an id (the caller's X-Request-ID if sane) and logs one line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _detail(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_problem(send, PayloadTooLarge(self._detail()), scope["path"])
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyOverLimit(self._detail())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyOverLimit as over:
            if response_started:
                raise
            await send_problem(send, PayloadTooLarge(str(over.detail)), scope["path"])


_JSON_MEDIA = re.compile(rb"^application/([a-z0-9.+-]*\+)?json\s*(;|$)", re.IGNORECASE)
_INLINE_PARSE_BYTES = 64 * 1024


class StrictJsonMiddleware:
    """Refuses JSON bodies that are not strict JSON before any route reads them: ``NaN`` and
    ``Infinity``, lone surrogate escapes and repeated member names (see
    ``app.credentials.strict_json``), with a 422 naming every place.

    Bodies that do not parse are passed on untouched, so the route reports the syntax error as
    it always has. Large bodies are parsed on a worker thread to keep the event loop free.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        media_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if scope["type"] != "http" or not _JSON_MEDIA.match(media_type):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = (
            _strictness_problem(body)
            if len(body) <= _INLINE_PARSE_BYTES
            else await anyio.to_thread.run_sync(_strictness_problem, body)
        )
        if problem is not None:
            await send_problem(send, problem, scope["path"])
            return
        await self.app(scope, _replay([body], None, receive), send)


def _strictness_problem(body: bytes) -> Problem | None:
    try:
        loads_strict(body)
    except StrictJsonViolation as violation:
        return InvalidRequest(
            "the body is JSON that a signed document cannot carry: "
            + "; ".join(f"{path}: {message}" for path, message in violation.problems[:3]),
            errors=[ProblemItem(path, message) for path, message in violation.problems],
        )
    except (ValueError, RecursionError):
        return None
    return None


def _replay(bodies: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A ``receive`` that hands out the buffered body once, then defers to the real one."""
    queue: list[Message] = [
        {"type": "http.request", "body": body, "more_body": False} for body in bodies
    ]
    if pending is not None:
        queue.append(pending)

    async def replayed() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replayed
