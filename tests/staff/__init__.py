"""Staff in the bot: invites, scope, partnerships, pre-release codes, re-linking, audit."""
