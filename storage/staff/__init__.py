"""Queries about staff: their accounts and chats, invite codes, partnerships and referrals, the
audit log."""
