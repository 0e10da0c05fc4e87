"""Check-ins: answers, the media kept from them, what staff see of them, alert rules."""
