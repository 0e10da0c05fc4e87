"""Alerts: a flag that needs a person on the staff now reaches them within seconds, with buttons
to take it on or close it, and goes up to the organisation's admins if nobody does."""
