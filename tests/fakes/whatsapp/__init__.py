"""A fake WhatsApp Cloud API server for tests and benchmarks (see server.py)."""

from bot.channels.whatsapp.templates import TemplateCatalogue
from tests.fakes.whatsapp.errors import GraphAPIError
from tests.fakes.whatsapp.server import FakeGraphAPI, Received
from tests.fakes.whatsapp.validation import Templates, TemplateShape

__all__ = ["FakeGraphAPI", "GraphAPIError", "Received", "TemplateShape", "Templates", "shapes_of"]


def shapes_of(catalogue: TemplateCatalogue) -> Templates:
    """What Meta would know after registering every template of the catalogue."""
    return {
        (spec.name, text.code): TemplateShape(
            text.parameters, len(text.quick_replies), text.copy_code is not None
        )
        for spec in catalogue.specs.values()
        for text in spec.texts.values()
    }
