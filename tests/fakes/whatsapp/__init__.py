"""A fake WhatsApp Cloud API: webhook deliveries as Meta posts them, and the Graph API server."""
