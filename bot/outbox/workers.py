"""Who a dispatcher is (`host:pid:tag`), and telling a dead one on this machine from a live one.

A dispatcher that died (kill -9, a crash, the machine's power) leaves the outbox rows it had
claimed. Another one on any machine takes them back once their lease has run out (minutes); one
on the same machine can tell at once that the process is gone, so a restarted bot goes on with a
broadcast where it stopped instead of waiting out the lease. Taking back a live dispatcher's
rows by mistake would not send anything twice: a row is sent only by the worker that still holds
it when it marks it "sending" (storage/outbox.py `mark_sending`).
"""

from __future__ import annotations

import os
import socket
import uuid

_LIVE: set[str] = set()  # the dispatchers of this process


def new_worker() -> str:
    """This process's dispatcher name: one per process (a process runs one dispatcher; a test
    that runs several in one process names them). Other processes' dispatchers are told apart by
    it, e.g. to leave a person to the one that just sent them a message (storage/outbox.py)."""
    worker = f"{socket.gethostname()}:{os.getpid()}:{_PROCESS_TAG}"
    _LIVE.add(worker)
    return worker


_PROCESS_TAG = uuid.uuid4().hex[:6]  # a pid the machine used before gets a new name


def dead_here(worker: str) -> bool:
    """Whether `worker` ran on this machine and is certainly gone: its process has exited, or
    it was an earlier process with this one's pid (a restarted container's pid 1)."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False  # not one of ours, or named by a test
    host, pid = parts[0], int(parts[1])
    if host != socket.gethostname():
        return False  # another machine: its lease decides
    if pid == os.getpid():
        return worker not in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False
