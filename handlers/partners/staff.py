"""The partners feature's staff commands, found by handlers/staff/discovery.py: /mitra and
/rujuk register themselves when imported."""

from handlers.partners import mitra, rujuk

__all__ = ["mitra", "rujuk"]
