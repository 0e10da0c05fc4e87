"""The staff commands in the chat: /peserta, /undang, /staf, /audit (each module registers its
own; handlers/staff/discovery.py imports them)."""
