"""Staff in the bot: who a staff member is, what they may see (scope.py, the one check), and the
audit log of what they saw and did (audit.py)."""
