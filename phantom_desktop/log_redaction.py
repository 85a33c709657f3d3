"""A log formatter that blanks secrets: device tokens, URL passwords, password hashes.

Code never logs a secret on purpose (tests/test_no_secrets_in_logs.py checks a full run); this is
the net under it for text that carries one by accident, such as a driver's exception message or
a traceback quoting the line that failed.
"""

from __future__ import annotations

import logging
import re

_SECRETS = (
    (re.compile(r"pdt_[A-Za-z0-9_-]{8,}"), "pdt_[redacted]"),  # device tokens
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.I), r"\1[redacted]@"),
    (re.compile(r"scrypt\$\d+\$\d+\$\d+\$[0-9a-f]+\$[0-9a-f]+"), "scrypt$[redacted]"),
)


def redact(text: str) -> str:
    """`text` with every recognisable secret replaced by a placeholder."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """A `logging.Formatter` whose output (message and traceback) passes through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
