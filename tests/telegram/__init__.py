"""The Telegram adapter and the fake Bot API."""
