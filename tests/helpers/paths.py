"""Where things are, for tests in any folder: the checkout, and the published payloads beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout
PAYLOADS = ROOT.parent / "shared" / "payloads"  # ../shared/payloads, beside the checkout
