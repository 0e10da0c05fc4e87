"""Exports for staff: participants, attendance and answers to reminders, as CSV or XLSX, within
the staff member's scope, in chat (/ekspor) and on the command line (`pendamping export`)."""
