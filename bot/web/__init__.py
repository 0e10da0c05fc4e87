"""The bot's one web application: health, metrics and the channels' webhooks (see `server.py`)."""
