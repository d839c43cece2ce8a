"""Progress and elapsed time for long stages, through `logging`."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stage(name: str, logger: logging.Logger | None = None) -> Iterator[None]:
    """Log the start and the elapsed time of a stage: `with stage("features"): ...`."""
    logger = logger or logging.getLogger("model")
    started = time.perf_counter()
    logger.info("%s: started", name)
    yield
    logger.info("%s: done in %.1f s", name, time.perf_counter() - started)


class Progress:
    """Counts steps of a known total and logs percent done, elapsed and remaining time."""

    def __init__(self, name: str, total: int, logger: logging.Logger | None = None,
                 every_seconds: float = 5.0, unit: str | None = None) -> None:
        self.name, self.total, self.done = name, max(int(total), 1), 0
        self.unit = unit  # named: the line also gives the rate ("1234 clients/s")
        self.logger = logger or logging.getLogger("model")
        self.every_seconds = every_seconds
        self.started = self._last = time.perf_counter()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        now = time.perf_counter()
        if now - self._last >= self.every_seconds or self.done >= self.total:
            self._last = now
            elapsed = now - self.started
            left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
            rate = f", {self.done / elapsed:.0f} {self.unit}/s" if self.unit and elapsed > 0 else ""
            self.logger.info("%s: %d/%d (%.0f %%), %.0f s elapsed, ~%.0f s left%s",
                             self.name, self.done, self.total,
                             100 * self.done / self.total, elapsed, left, rate)
