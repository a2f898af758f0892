"""The load: generated events at a rate from a thread, until stopped (or a count is sent), and what Kafka acknowledged."""
from __future__ import annotations

import random
import threading
import time

from flinkfast import producer
from flinkfast.config import Config
from flinkfast.errors import TimedOut, one_line


class Load:
    """`rate` events/s from a thread until stop() (or until `count` events were sent: join()),
    each event a new uuid; a producer that gives up (e.g. metadata gone longer than its bound) is
    replaced by a new one. seed None: a random one."""

    def __init__(self, cfg: Config, rate: int, seed: int | None = 21, count: int | None = None):
        self.cfg, self.rate, self.count = cfg, rate, count
        self.seed = random.randrange(2 ** 31) if seed is None else seed
        self.summaries: list[producer.ProduceSummary] = []
        self.errors: list[str] = []
        self._made = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load", daemon=True)

    def start(self) -> "Load":
        self._thread.start()
        return self

    def _done(self) -> bool:
        return self._stop.is_set() or (self.count is not None and self._made >= self.count)

    def _events(self, seed: int):
        for event in producer.generate_events(None, seed=seed):
            if self._done():
                return
            self._made += 1
            yield event

    def _run(self) -> None:
        seed = self.seed
        while not self._done():
            try:
                self.summaries.append(producer.produce(self.cfg, self._events(seed), rate=self.rate, progress=False))
            except Exception as e:  # noqa: BLE001 (the load must go on; the error is reported)
                self.errors.append(one_line(e, 160))
                time.sleep(1)
            if not self._stop.is_set() and self.summaries and self.summaries[-1].first_error:
                self.errors.append(self.summaries[-1].first_error)
            seed += 1_000_003  # a new producer never repeats a uuid

    def join(self, timeout: float = 90) -> None:
        """Until the thread is done (its count sent, or stopped)."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimedOut(f"the load's producer did not finish within {timeout:.0f}s")

    def stop(self, timeout: float = 90) -> None:
        self._stop.set()
        self.join(timeout)

    @property
    def acked(self) -> list[str]:
        return [u for s in self.summaries for u in s.uuids]

    @property
    def sent(self) -> int:
        return sum(s.sent for s in self.summaries)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.summaries)

    @property
    def events_per_s(self) -> float:
        elapsed = sum(s.elapsed_s for s in self.summaries)
        return self.sent / elapsed if elapsed > 0 else 0.0
