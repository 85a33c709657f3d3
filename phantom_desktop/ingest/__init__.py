"""Ingestion: one pipeline (writer thread) fed by the HTTP server and serial sources."""
