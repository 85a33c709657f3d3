"""Natural order for names: "w-2" before "w-10", case ignored.

The key is a plain string, so that Qt's sorting proxies (which compare the sort role's text)
and Python's `sorted` order names the same way: each run of digits is written as its length
(two digits) followed by the number without leading zeros, so longer numbers sort after shorter
ones and equal lengths compare digit by digit. Runs of up to 99 digits compare right.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DIGITS = re.compile(r"\d+")


def _number(match: re.Match[str]) -> str:
    digits = match.group().lstrip("0") or "0"
    return f"{len(digits):02d}{digits}"


@lru_cache(maxsize=4096)
def natural_key(text: str) -> str:
    """A sort key in which digit runs compare as numbers and the rest as case-folded text."""
    return _DIGITS.sub(_number, text.casefold())
