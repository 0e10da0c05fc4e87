"""Reminders, RSVPs, the outbox and its pace."""
