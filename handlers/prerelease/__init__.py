"""Pre-release enrolment (a person registered by staff before release claims it from their own
chat) and re-linking a participant who changed phone or number: both by one-time code."""
