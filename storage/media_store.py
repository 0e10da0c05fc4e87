"""The media store: voice notes and photos of check-ins, kept as files in one folder (MEDIA_DIR).

A file is named by a random id and the kind's extension ("3f9c…e1.ogg"), never after a person:
the folder alone says nothing about whom a file is of. The database holds the name (a check-in's
`media_ref` with `media_stored`); a file no check-in names any more (erased, or deleted by
retention) is deleted by `sweep`.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from pathlib import Path

MAX_MEDIA_BYTES = 16 * 1024 * 1024  # 16 MB: WhatsApp's own limit for audio and video
# A file younger than this is left by `sweep` even if no check-in names it yet: it may have been
# written a moment before the transaction that records it commits.
SWEEP_GRACE = timedelta(minutes=10)
EXTENSIONS = {"voice": ".ogg", "audio": ".ogg", "photo": ".jpg", "video": ".mp4"}
NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{2,4}$")  # what `save` names files: nothing else


class MediaStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, kind: str, content: bytes) -> str:
        """Write the bytes under a new random name; the name (the check-in's `media_ref`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + EXTENSIONS.get(kind, ".bin")
        partial = self.folder / (name + ".part")
        partial.write_bytes(content)
        os.replace(partial, self.folder / name)  # whole or not at all
        return name

    def path(self, ref: str) -> Path | None:
        """Where the file named `ref` is, if it is one of ours and still there."""
        if not NAME.match(ref):
            return None
        found = self.folder / ref
        return found if found.is_file() else None

    def read(self, ref: str) -> bytes | None:
        found = self.path(ref)
        return found.read_bytes() if found is not None else None

    def delete(self, ref: str) -> bool:
        found = self.path(ref)
        if found is None:
            return False
        found.unlink(missing_ok=True)
        return True

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())

    def sweep(self, kept: Collection[str], now: datetime) -> int:
        """Delete the files (and half-written ones) that no check-in names; how many went."""
        oldest = (now - SWEEP_GRACE).timestamp()
        gone = 0
        for name in self.names():
            if name in kept or not NAME.match(name.removesuffix(".part")):
                continue  # named, or not a file of ours (never delete what we did not write)
            path = self.folder / name
            if path.stat().st_mtime > oldest:
                continue
            path.unlink(missing_ok=True)
            gone += 1
        return gone
