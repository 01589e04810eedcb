"""Bounded input: no request body is read past its limit, chunked or not, and no id past its range reaches a query.

An ASGI middleware, outermost but for Starlette's error handler, so no route, form parser or signature check ever
sees more than the limit: a `Content-Length` over it is answered 413 before a byte of the body is read, and a body
without one (chunked) is counted as it arrives and answered 413 the moment it passes the limit. The server's
memory grows by at most the limit per request, whatever the client sends. Bodies within the limit are buffered
(at most the limit) and handed to the app unchanged.
"""

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 64 * 1024  # every form: webhooks, sign-in, the simulator, console and admin forms
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a property pack or reservations CSV, pasted or uploaded by a signed-in owner
UPLOAD_PATHS = re.compile(r"^/admin/p/[^/]+/(?:pack|reservations/csv)$")


MAX_ID = 2**31 - 1  # the largest row id every database holds (PostgreSQL's INTEGER id columns; SQLite's are wider)
MAX_NUMBER = 2**63 - 1  # the largest whole number any column holds
ID_PARAMETERS = frozenset({"conversation", "guest", "outbox"})  # query parameters that name a row
_NUMBER = re.compile(r"-?\d+")


def limit_for(path: str) -> int:
    """The most bytes a request body to this path may have."""
    return MAX_UPLOAD_BYTES if UPLOAD_PATHS.match(path) else MAX_BODY_BYTES


class BodyLimit:
    """Answer 413 instead of reading a request body past its limit (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, limit: Callable[[str], int] = limit_for) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([], message, receive), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _too_large(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)


def _content_length(scope: Scope) -> int | None:
    """The declared body length; a malformed one counts as too large (nothing legitimate sends it)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 1 << 62
    return None


def _replay(chunks: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """The buffered body as one message, then whatever the client sends next (a disconnect)."""
    queue: list[Message] = [pending] if pending is not None else [{"type": "http.request", "body": b"".join(chunks)}]

    async def replayed() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replayed


async def _too_large(send: Send) -> None:
    body = b"request body too large"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def out_of_range(scope: Scope) -> bool:
    """Whether a path segment or an id in the query is a whole number no row id can be (past the 32-bit INTEGER of
    PostgreSQL's id columns), or any other query value past 64 bits."""
    ids = str(scope.get("path", "")).split("/")
    others: list[str] = []
    for pair in bytes(scope.get("query_string", b"")).decode("latin-1").split("&"):
        key, _sep, value = pair.partition("=")
        (ids if key in ID_PARAMETERS else others).append(value)
    return any(_too_big(v, MAX_ID) for v in ids) or any(_too_big(v, MAX_NUMBER) for v in others)


def _too_big(value: str, limit: int) -> bool:
    if len(value) < len(str(limit)) or not _NUMBER.fullmatch(value):
        return False
    digits = value.lstrip("-").lstrip("0")
    # Compared as text first: int() refuses strings of more than 4,300 digits (a ValueError, a 500).
    return len(digits) > len(str(limit)) or (len(digits) == len(str(limit)) and int(digits) > limit)


class IdRange:
    """Answer 404 to a URL with an id past the ids' range ("/console/conversations/99999999999"): it names
    nothing, and handed to the database it would fail (an overflow, a 500) instead of finding nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and out_of_range(scope):
            body = b"not found"
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"9")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
