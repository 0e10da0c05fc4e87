"""A free TCP port, for a bot's web app or a fake's server started by a test or a benchmark."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port nobody listens on now (on 127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
