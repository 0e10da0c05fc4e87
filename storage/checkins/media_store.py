"""The media store: voice notes and photos of check-ins, kept as files in one folder (MEDIA_DIR).

A file is named by a random id and the kind's extension ("3f9c…e1.ogg"), never after a person:
the folder alone says nothing about whom a file is of. The database holds the name (a check-in's
`media_ref` with `media_stored`); a file no check-in names any more (erased, or deleted by
retention) is deleted by `sweep`, which the media job runs every minute.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from pathlib import Path

MAX_MEDIA_BYTES = 16 * 1024 * 1024  # 16 MB: WhatsApp's own limit for audio and video
# A ".part" file younger than this is left by `sweep`: its transaction may not have committed.
SWEEP_GRACE = timedelta(minutes=10)
EXTENSIONS = {"voice": ".ogg", "audio": ".ogg", "photo": ".jpg", "video": ".mp4"}
PART = ".part"  # a file written, its name not yet recorded
NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{2,4}$")  # what `write` names files: nothing else


class MediaStore:
    """Writing a file takes two steps around the transaction that records it: `write` puts the
    bytes under "<name>.part", the caller commits the name, then `finish` gives the file its name.
    So a named file is always recorded (the sweep may delete any it finds unrecorded, at once),
    and a crash leaves only a ".part" file, swept once it is `SWEEP_GRACE` old."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, kind: str, content: bytes) -> str:
        """Write the bytes under a new random name (as "<name>.part"); the name to record."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + EXTENSIONS.get(kind, ".bin")
        (self.folder / (name + PART)).write_bytes(content)
        return name

    def finish(self, name: str) -> None:
        """The name is recorded: the file takes it (whole, at once)."""
        os.replace(self.folder / (name + PART), self.folder / name)

    def path(self, ref: str) -> Path | None:
        """Where the file named `ref` is, if it is one of ours and still there."""
        if not NAME.match(ref):
            return None
        found = self.folder / ref
        return found if found.is_file() else None

    def read(self, ref: str) -> bytes | None:
        found = self.path(ref)
        return found.read_bytes() if found is not None else None

    def names(self) -> list[str]:
        """The store's own files (finished or ".part"), nothing else that may be in the folder."""
        if not self.folder.is_dir():
            return []
        return sorted(
            p.name
            for p in self.folder.iterdir()
            if p.is_file() and NAME.match(p.name.removesuffix(PART))
        )

    def sweep(self, names: Collection[str], kept: Collection[str], now: datetime) -> int:
        """Delete the files among `names` (listed *before* `kept` was read) that no check-in
        names, and ".part" files older than `SWEEP_GRACE`; how many went."""
        oldest = (now - SWEEP_GRACE).timestamp()
        gone = 0
        for name in names:
            path = self.folder / name
            if name in kept or not path.is_file():
                continue
            if name.endswith(PART) and path.stat().st_mtime > oldest:
                continue  # being written, or its transaction is still open
            path.unlink(missing_ok=True)
            gone += 1
        return gone
