"""The load: generated events at a rate from a thread, until stopped (or a count is sent), and what Kafka acknowledged."""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from flinkfast.events import producer
from flinkfast.config import Config
from flinkfast.errors import TimedOut, one_line


@dataclass(frozen=True)
class Acked:
    """One message as Kafka acknowledged it: where, with which timestamp (the broker's: the
    append time on a LogAppendTime topic, else the producer's), the event and its bytes, and
    the timestamp the producer asked for (None: its clock)."""
    partition: int
    offset: int
    timestamp_ms: int
    event: dict
    value: bytes
    asked_ts_ms: int | None


class Load:
    """`rate` events/s from a thread until stop() (or until `count` events were sent: join()),
    each event a new uuid; a producer that gives up (e.g. metadata gone longer than its bound) is
    replaced by a new one. seed None: a random one.

    The messy kind (the gauntlet's, tests/e2e/test_gauntlet_e2e.py): `repeat` of the events (a
    fraction) take an earlier event's uuid with new content, on any partition; `skew_ms` > 0 gives
    a third of them a producer timestamp up to that far ahead or behind the clock. Every
    acknowledged message is kept in `messages` (Acked). pause() stops sending (what was sent is
    acknowledged or failed by then), resume() goes on. settle_s: how long a pause waits for sends
    still in flight before counting them failed (default: the producer's delivery timeout; the
    chaos kit's few seconds: a send in flight to a broker that was killed is never answered, and
    one that landed all the same is found in the topic by its checker)."""

    def __init__(self, cfg: Config, rate: int, seed: int | None = 21, count: int | None = None,
                 repeat: float = 0.0, skew_ms: int = 0, settle_s: float | None = None):
        self.cfg, self.rate, self.count = cfg, rate, count
        self.repeat, self.skew_ms, self.settle_s = repeat, skew_ms, settle_s
        self.seed = random.Random().randrange(2 ** 31) if seed is None else seed
        self._rnd = random.Random(self.seed)
        self.summaries: list[producer.ProduceSummary] = []
        self.errors: list[str] = []
        self.messages: list[Acked] = []
        self._uuids: list[str] = []
        self._asked: dict[int, int | None] = {}
        self._made = 0
        self._stop = threading.Event()
        self._go = threading.Event()
        self._go.set()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load", daemon=True)

    def start(self) -> "Load":
        self._thread.start()
        return self

    def _done(self) -> bool:
        return self._stop.is_set() or (self.count is not None and self._made >= self.count)

    def _events(self, seed: int):
        for event in producer.generate_events(None, seed=seed):
            if self._done() or not self._go.is_set():
                return
            if self._uuids and self._rnd.random() < self.repeat:
                event["uuid"] = self._rnd.choice(self._uuids)   # the same uuid again, new content
            else:
                self._uuids.append(event["uuid"])
            self._made += 1
            yield event

    def _partition(self, event: dict) -> int | None:
        if not self.repeat:
            return None
        return self._rnd.randrange(self.cfg.kafka_partitions)   # a uuid's messages on any partition

    def _timestamp(self, event: dict) -> int | None:
        asked = None
        if self.skew_ms and self._rnd.random() < 1 / 3:
            asked = int(time.time() * 1000) + self._rnd.randint(-self.skew_ms, self.skew_ms)
        self._asked[id(event)] = asked
        return asked

    def _acked(self, event: dict, value: bytes, metadata) -> None:
        self.messages.append(Acked(metadata.partition, metadata.offset, metadata.timestamp, event, value,
                                   self._asked.pop(id(event), None)))

    def _run(self) -> None:
        seed = self.seed
        messy = bool(self.repeat or self.skew_ms)
        while not self._done():
            if not self._go.is_set():
                self._idle.set()
                self._go.wait(0.2)
                continue
            self._idle.clear()
            try:
                self.summaries.append(producer.produce(
                    self.cfg, self._events(seed), rate=self.rate, progress=False,
                    partition=self._partition if messy else None, timestamp_ms=self._timestamp if messy else None,
                    on_ack=self._acked if messy else None, settle_s=self.settle_s))
            except Exception as e:  # noqa: BLE001 (the load must go on; the error is reported)
                self.errors.append(one_line(e, 160))
                time.sleep(1)
            if not self._stop.is_set() and self.summaries and self.summaries[-1].first_error:
                self.errors.append(self.summaries[-1].first_error)
            seed += 1_000_003  # a new producer never repeats a uuid
        self._idle.set()

    def pause(self, timeout: float = 120) -> None:
        """Until nothing is being sent: every message sent so far acknowledged or failed."""
        self._go.clear()
        if self._thread.is_alive() and not self._idle.wait(timeout):
            raise TimedOut(f"the load's producer did not stop within {timeout:.0f}s")

    def resume(self) -> None:
        self._go.set()

    def join(self, timeout: float = 90) -> None:
        """Until the thread is done (its count sent, or stopped)."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimedOut(f"the load's producer did not finish within {timeout:.0f}s")

    def stop(self, timeout: float = 90) -> None:
        self._stop.set()
        self._go.set()
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
