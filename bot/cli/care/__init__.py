"""The command line for looking after people: check-ins, flags waiting for staff, and broadcasts."""
