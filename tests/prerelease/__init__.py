"""People registered before release, and re-linking a new phone."""
