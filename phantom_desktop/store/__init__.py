"""Persistence: SQLAlchemy models, engine setup, queries and Alembic migrations."""
