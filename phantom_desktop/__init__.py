"""Phantom Desktop: find and cut phantom (standby) power."""

__version__ = "0.1.0"
