"""All tables, for Alembic and for code that needs the whole schema."""

from storage import flag_models, outbox_models, program_models
from storage.models import Base

__all__ = ["Base", "flag_models", "outbox_models", "program_models"]
