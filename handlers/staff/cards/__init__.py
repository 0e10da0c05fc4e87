"""The caseworker's people: /peserta (most urgent first, search), a participant's card, notes."""
