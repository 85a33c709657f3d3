"""Pure logic: no Qt, no SQL."""
