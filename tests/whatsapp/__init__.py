"""End-to-end tests of the WhatsApp channel."""
