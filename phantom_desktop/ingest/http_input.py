"""Reading a device request's input: JSON body within its size and time limits, and the token.

Everything here raises `Rejection` (a status and a message for the JSON error body) for input
the contract refuses, so that no malformed request reaches the writer or a log as a traceback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import hdrs, web
from multidict import istr

from phantom_desktop.core.text_checks import text_problem

MAX_TOKEN_LENGTH = 256
Headers = Mapping[str, str] | Mapping[istr, str]


class Rejection(Exception):
    """Answer the request with a JSON error body (and close the connection when `close`)."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: Headers | None = None,
        *,
        close: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
        self.close = close


def is_json(content_type: str) -> bool:
    mime = content_type.partition(";")[0].strip().lower()
    return mime == "application/json" or (
        mime.startswith("application/") and mime.endswith("+json")
    )


def parse_json(raw: bytes) -> Any:
    """`raw` parsed by orjson (a tenth of the standard library's CPU); what orjson refuses is
    parsed again by the standard library, so that NaN, numbers beyond a double's range and lone
    surrogates keep being refused by the field they are in, and malformed JSON by the standard
    library's error (json.JSONDecodeError, with a message and a position). orjson reads an
    integer beyond 64 bits as a float: as a number it is refused as before ("at most …"), as a
    `portId` as not a string."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def too_large(limit: int) -> Rejection:
    return Rejection(413, f"The request body must be at most {limit} bytes")


async def read_json_body(
    request: web.BaseRequest, limit: int, timeout_s: float
) -> tuple[bytes, dict[str, Any]]:
    """The raw body and its JSON object; 415, 413, 408 (body too slow) or 400 otherwise."""
    declared = request.headers.get(hdrs.CONTENT_TYPE)
    if declared is not None and not is_json(declared):
        raise Rejection(415, f"Content-Type must be application/json, not {declared!r}")
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    try:
        if request.content.is_eof():  # the usual small body came with the headers: no timer
            raw = await request.read()
        else:
            async with asyncio.timeout(timeout_s):
                raw = await request.read()
    except web.HTTPRequestEntityTooLarge:  # a chunked body beyond every route's limit
        raise too_large(limit) from None
    except TimeoutError:
        raise Rejection(
            408, f"The request body did not arrive within {timeout_s:g} s", close=True
        ) from None
    if len(raw) > limit:
        raise too_large(limit)
    try:
        body = parse_json(raw)
    except RecursionError:
        raise Rejection(400, "Malformed JSON: nested too deeply") from None
    except ValueError as exc:  # includes bytes that are not UTF-8 text
        if declared is None:
            raise Rejection(
                415, "Send the body as JSON with Content-Type: application/json"
            ) from None
        detail = (
            f": {exc.msg} at position {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        )
        raise Rejection(400, f"Malformed JSON{detail}") from None
    if not isinstance(body, dict):
        raise Rejection(400, "The body must be a JSON object")
    return raw, body


def device_token(request: web.BaseRequest, body: dict[str, Any]) -> str:
    """The body's `deviceToken`, else the `Authorization: Bearer` token; 401 when neither."""
    token = body.get("deviceToken")
    where = "'deviceToken'"
    if token is None or token == "":
        scheme, _, value = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
        where = "the Authorization header's token"
    if not token:
        raise Rejection(
            401,
            "A device token is required: send 'deviceToken' or 'Authorization: Bearer <token>'",
            {hdrs.WWW_AUTHENTICATE: "Bearer"},
        )
    problem = text_problem(token, MAX_TOKEN_LENGTH)
    if problem is not None:  # e.g. bytes that are not UTF-8 in the header
        raise Rejection(400, f"{where} {problem}")
    return token
