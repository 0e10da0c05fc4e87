"""Place-name search: how long matching and suggesting take for typical typed answers.

    python bench/regions.py [--repeat 50]

The suite checks what the search finds; this prints how fast it is (it replaces a timed loop
that was in the suite). On a shared 2-core VM, 50 rounds of the four texts (both calls each)
took about 0.4 s; a rise of ten times or more hints at a search that has become quadratic.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.regions import search as regions  # noqa: E402

TEXTS = ("saya tinggal di kab. serang 🙏", "jaksel", "pekalogan", "kota tangerang selatn")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="rounds of the four texts (50)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    regions.match_regencies("ambon")  # loads the tables
    print(f"first call (loads the tables): {(time.perf_counter() - started) * 1000:.1f} ms")
    per_text: dict[str, list[float]] = {text: [] for text in TEXTS}
    started = time.perf_counter()
    for _ in range(args.repeat):
        for text in TEXTS:
            begun = time.perf_counter()
            regions.match_regencies(text)
            regions.suggest_regencies(text)
            per_text[text].append(time.perf_counter() - begun)
    total = time.perf_counter() - started
    print(f"{args.repeat} rounds of {len(TEXTS)} texts (match + suggest): {total:.2f} s")
    for text, times in per_text.items():
        print(f"  {text!r}: median {statistics.median(times) * 1000:.2f} ms per text")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
