"""Natural order for names: "w-2" before "w-10", case ignored."""

from __future__ import annotations

import re

_PARTS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key comparing digit runs as numbers (before text) and the rest as case-folded text."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in _PARTS.split(text)
        if part
    )
