"""Device tokens and account passwords: generation and hashing (no storage here)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "pdt_"


@dataclass(frozen=True, slots=True)
class ScryptCost:
    """scrypt's work factors; memory needed is 128 * n * r bytes (128 MiB at the default)."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    @property
    def maxmem(self) -> int:
        return 2 * 128 * self.n * self.r * self.p + 1024 * 1024


# The current recommendation (OWASP: n=2^17, r=8, p=1). Hashes made with another cost are
# replaced on the next successful login (`needs_rehash`). Tests lower it to stay fast.
PASSWORD_COST = ScryptCost()


def generate_token() -> str:
    """A new device token: 256 random bits, URL-safe, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex of a token. Tokens are random, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_display_prefix(token: str) -> str:
    """The short, harmless start of a token shown in lists ("pdt_AbCd")."""
    return token[: len(TOKEN_PREFIX) + 4]


def hash_password(password: str) -> str:
    """scrypt hash in the form ``scrypt$n$r$p$salt$hash`` (hex)."""
    if not password:
        raise ValueError("password must not be empty")
    cost = PASSWORD_COST
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.maxmem,
        dklen=32,
    )
    return f"scrypt${cost.n}${cost.r}${cost.p}${salt.hex()}${digest.hex()}"


def needs_rehash(stored: str) -> bool:
    """True when `stored` was made with another cost than the current one."""
    scheme, _, rest = stored.partition("$")
    n, r, p = rest.split("$")[:3] if rest.count("$") >= 4 else ("", "", "")
    current = PASSWORD_COST
    return scheme != "scrypt" or (n, r, p) != (str(current.n), str(current.r), str(current.p))


def verify_password(password: str, stored: str) -> bool:
    """Check a password against a hash made by `hash_password`, in constant time."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        cost = ScryptCost(int(n), int(r), int(p))
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=cost.n,
            r=cost.r,
            p=cost.p,
            maxmem=cost.maxmem,
            dklen=len(digest_hex) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)
