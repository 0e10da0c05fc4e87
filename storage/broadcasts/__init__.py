"""Broadcasts' queries: who is in an audience, writing their outbox rows, and the figures."""
