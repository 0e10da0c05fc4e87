"""Run `pendamping` under cProfile, profiling only between SIGUSR1 and SIGUSR2.

    python bench/profile_bot.py OUT.prof run

SIGUSR1 starts the profiler, SIGUSR2 stops it and writes OUT.prof (pstats) and OUT.prof.txt
(the top functions by own time and by cumulative time). `bench/inbound.py --profile cprofile`
sends the two signals around the measured load, so start-up and migrations stay out of it.
cProfile sees the main thread only (the event loop); aiosqlite's worker thread is not in it:
`--profile py-spy` sees every thread.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import signal
import sys
from pathlib import Path
from types import FrameType


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    argv = sys.argv[2:]
    profiler = cProfile.Profile()

    def start(_signum: int, _frame: FrameType | None) -> None:
        profiler.enable()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(out)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(45)
        stats.sort_stats("cumulative").print_stats(60)
        out.with_name(out.name + ".txt").write_text(text.getvalue(), encoding="utf-8")

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)

    from bot.cli import main as pendamping

    return pendamping(argv)


if __name__ == "__main__":
    sys.exit(main())
