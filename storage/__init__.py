"""Persistence: SQLAlchemy models, named query functions (they never commit) and Alembic migrations."""
