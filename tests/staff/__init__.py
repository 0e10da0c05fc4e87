"""Staff in the bot: invites, roles, scope, partnerships, pre-release codes, audit."""
