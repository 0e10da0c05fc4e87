"""The morning digest: what each staff member's people need from them today."""
