"""Messages through the bot: a caseworker writes to a participant, who can answer and end it."""
