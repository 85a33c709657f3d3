"""Checks on strings that arrive from outside (JSON bodies, headers, serial lines).

JSON's `\\ud800` escapes and aiohttp's lenient header decoding can both produce Python strings
that are not valid Unicode text (lone surrogates); such strings cannot be encoded for a database
driver, a log file or a hash. Everything that reaches SQL or a hash passes `text_problem` first.
"""

from __future__ import annotations

import re

# Lone surrogates (never valid text) and C0/C1 control characters (never in ids or tokens).
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def text_problem(value: object, max_length: int) -> str | None:
    """What makes `value` unusable as an id or token, in words; None when it is fine."""
    if not isinstance(value, str):
        return "must be a string"
    if not value:
        return "must not be empty"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    if value.isascii() and value.isprintable():  # the usual id or token: nothing to search
        return None
    if _SURROGATE.search(value):
        return "must be valid Unicode text (it holds a lone surrogate)"
    if _CONTROL.search(value):
        return "must not contain control characters"
    return None
