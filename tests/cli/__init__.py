"""The `pendamping` command line."""
