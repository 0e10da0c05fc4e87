"""Tests of what staff see and do: invites, scope, partnerships, referrals, pre-release codes, audit."""
