"""Shared set-up for the WhatsApp tests: the bot in process, in a subprocess, the inbound side."""
