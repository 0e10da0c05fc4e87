"""The command line for people: participants, pre-release codes and their links, staff and partner organisations."""
