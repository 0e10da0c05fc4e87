"""The WhatsApp Cloud API channel: a signed webhook in, a thin Graph API client out."""
