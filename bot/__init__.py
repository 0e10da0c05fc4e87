"""The outside world: configuration, channels (Telegram, console), web server, CLI."""
