"""The command line for programs: organisations, programs, sessions and appointments."""
