"""Partnerships between organisations and referrals with the participant's consent."""
