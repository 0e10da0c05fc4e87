"""All tables, for Alembic and for code that needs the whole schema."""

from storage import outbox_models, program_models
from storage.models import Base

__all__ = ["Base", "outbox_models", "program_models"]
