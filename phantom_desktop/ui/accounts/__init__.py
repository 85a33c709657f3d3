"""Accounts on a shared database: the login dialog shown before the window."""
