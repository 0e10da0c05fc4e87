"""Flows through the engine, as a person has them, on every channel."""
