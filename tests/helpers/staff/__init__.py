"""Shared set-up for the staff tests: chats, the command line, partners, pre-release."""
