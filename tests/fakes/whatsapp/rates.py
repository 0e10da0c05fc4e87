"""Meta's two sending limits as the fake enforces them: the number's throughput and the pair rate."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst` saved up."""

    rate: float
    burst: float
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


@dataclass
class Rates:
    """Throughput: `per_second` for the number, with a tenth of a second's burst. Pair rate:
    Meta's "one message every 6 seconds to one person", with `pair_burst` messages saved up
    (Meta allows a burst and then wants an equivalent wait)."""

    per_second: float = 80.0
    pair_interval: float = 6.0
    pair_burst: float = 45.0
    throughput: Bucket = field(init=False)
    pairs: dict[str, Bucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.throughput = Bucket(self.per_second, max(1.0, self.per_second / 10))

    def number_allows(self, now: float) -> bool:
        return self.throughput.take(now)

    def pair_allows(self, recipient: str, now: float) -> bool:
        bucket = self.pairs.get(recipient)
        if bucket is None:
            bucket = self.pairs[recipient] = Bucket(1.0 / self.pair_interval, self.pair_burst)
        return bucket.take(now)
