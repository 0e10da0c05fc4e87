"""Partnerships between organisations, and referrals of participants to a partner's program."""
