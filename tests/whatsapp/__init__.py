"""Tests of the WhatsApp channel and of every behaviour on both channels."""
