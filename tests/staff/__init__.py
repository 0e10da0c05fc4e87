"""Staff access: invites, roles and scope, partnerships, pre-release codes, the audit log."""
