"""How the benchmark measures a contender, as plain functions over samples (flinkfast/bench/drain.py
takes them): every half second while a contender runs, the wall time, the rows written so far, the
CPU seconds of each part of the stack and its memory by PSS. From them, over any window:

    cpu_us_per_event(samples, a, b, events)   CPU of each part between a and b (interpolated), per event
    steady_window(points, n)                  when the drain passed 10 % and 90 % of its n rows
    job_started(vertices, subtasks)           when a job's first task deployed, and ran (Flink's record)
    figures(samples, n, start, last, inserted) a drain's rate, steady rate (from its rows' insert
                                              times when given), CPU and peak PSS over its window
    peak_pss_mib(samples, a, b)               the largest PSS of each part, and of their sum, in [a, b]

and over rounds: orders() (the contenders' seeded order in each round, every second one reversed) and summarize()
(the median of each figure, with its spread). Memory is counted by PSS (/proc/PID/smaps_rollup):
a page shared by N processes counts 1/N in each, so PostgreSQL's shared buffers count once, not
once per backend as a sum of VmHWM does.
"""
from __future__ import annotations

import bisect
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from flinkfast.bench.profile import GROUPS, TICK_S, cpu_seconds
from flinkfast.stack import process

STEADY = (0.1, 0.9)  # the steady state: the middle 80 % of a drain's rows


@dataclass
class Sample:
    t: float                                  # epoch seconds
    rows: int                                 # rows written so far (the table's counters)
    cpu: dict[str, float]                     # CPU seconds so far, by part
    pss_kib: dict[str, int] = field(default_factory=dict)  # PSS now, by part


def parse_pss_kib(smaps_rollup: str) -> int:
    """The Pss line of /proc/PID/smaps_rollup, in KiB (0 when there is none)."""
    for line in smaps_rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def pss_kib(pid: int) -> int:
    """PSS of a process and all its descendants (a supervisor, its script, the JVM; PostgreSQL's
    postmaster and its backends), in KiB; a process gone meanwhile counts 0."""
    total = 0
    for p in process.descendants(pid):
        try:
            total += parse_pss_kib(Path(f"/proc/{p}/smaps_rollup").read_text())
        except OSError:
            pass
    return total


class Sampler:
    """Samples of one contender: sample(rows) each time its progress is polled. The stack's
    services by part (profile.GROUPS), and extra processes by name (a peer's program)."""

    def __init__(self, stack, extra: dict[str, int] | None = None, pss_every_s: float = 1.0):
        self.stack, self.extra, self.pss_every_s = stack, extra or {}, pss_every_s
        self.samples: list[Sample] = []
        self._pss_at = 0.0

    def sample(self, rows: int) -> None:
        now = time.time()
        cpu = cpu_seconds(self.stack)
        for name, pid in self.extra.items():
            cpu[name] = process.cpu_ticks(pid) * TICK_S
        pss: dict[str, int] = {}
        if now - self._pss_at >= self.pss_every_s:  # smaps_rollup walks page tables: once a second is enough
            self._pss_at = now
            for svc in self.stack.services:
                pid = svc.pid()
                if pid:
                    part = GROUPS.get(svc.kind, "rest")
                    pss[part] = pss.get(part, 0) + pss_kib(pid)
            for name, pid in self.extra.items():
                pss[name] = pss_kib(pid)
        self.samples.append(Sample(now, rows, cpu, pss))


def _interpolate(xs: list[float], ys: list[float], x: float) -> float:
    """ys at x, linear between the samples, the first or last value outside them."""
    if not xs:
        return 0.0
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect.bisect_right(xs, x)
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def cpu_between(samples: list[Sample], a: float, b: float) -> dict[str, float]:
    """CPU seconds of each part between the times a and b."""
    ts = [s.t for s in samples]
    parts = sorted({k for s in samples for k in s.cpu})
    return {k: max(0.0, _interpolate(ts, [s.cpu.get(k, 0.0) for s in samples], b)
                   - _interpolate(ts, [s.cpu.get(k, 0.0) for s in samples], a)) for k in parts}


def per_event(used: dict[str, float], events: int) -> dict[str, float]:
    """CPU seconds by part -> µs per event by part, and their total."""
    out = {k: round(v / events * 1e6, 1) for k, v in used.items()}
    out["total"] = round(sum(used.values()) / events * 1e6, 1)
    return out


def cpu_us_per_event(samples: list[Sample], a: float, b: float, events: int) -> dict[str, float]:
    return per_event(cpu_between(samples, a, b), events)


def steady_window(points: list[tuple[float, int]], n: int) -> tuple[float, float] | None:
    """(t10, t90): when the rows written passed 10 % and 90 % of n, interpolated between the
    progress points (time, rows), which must start at or below 10 % and reach 90 %; else None."""
    points = sorted(points)
    ts, rows = [t for t, _ in points], [min(r, n) for _, r in points]
    for i in range(1, len(rows)):  # the counters never go back; a replay seen twice must not either
        rows[i] = max(rows[i], rows[i - 1])
    lo, hi = STEADY[0] * n, STEADY[1] * n
    if len(ts) < 2 or rows[0] > lo or rows[-1] < hi:
        return None

    def when(target: float) -> float:
        i = bisect.bisect_left(rows, target)
        if i == 0:
            return ts[0]
        r0, r1 = rows[i - 1], rows[i]
        return ts[i - 1] + (ts[i] - ts[i - 1]) * (target - r0) / (r1 - r0)

    return when(lo), when(hi)


def job_started(vertices: list[dict], subtasks: list[dict]) -> tuple[float, float]:
    """(deploying, running), epoch seconds, from Flink's own record of a job (its REST API):
    when its first task began deploying (the vertices' start-time) and when its first task was
    RUNNING (the subtasks' timestamps): no row can be written before that, and what came before
    it, the deployment and each task's initialization (the Kafka source's and the sink's set-up),
    belongs to the submission, as a peer's start-up does. Without a RUNNING timestamp, the
    deployment's start (the window then holds the initialization too)."""
    deploying = min(v["start-time"] for v in vertices if v.get("start-time", -1) > 0) / 1000
    running = [t["timestamps"]["RUNNING"] for t in subtasks if t.get("timestamps", {}).get("RUNNING", 0) > 0]
    return deploying, (max(deploying, min(running) / 1000) if running else deploying)


def rate_over(window: tuple[float, float] | None, n: int) -> int | None:
    """Events/s over the middle 80 % of a drain of n rows, from when it passed 10 % and 90 %
    (None without a window, or an empty one)."""
    if window is None or window[1] <= window[0]:
        return None
    return round((STEADY[1] - STEADY[0]) * n / (window[1] - window[0]))


def steady_rate(points: list[tuple[float, int]], n: int) -> int | None:
    """Events/s over the middle 80 % of a drain, from its progress points (None when they do not span it)."""
    return rate_over(steady_window(points, n), n)


def figures(samples: list[Sample], n: int, start: float, last: float,
            inserted: tuple[float, float] | None = None) -> dict:
    """A drain's figures over its window [start, last]: rate, steady rate, CPU, peak PSS. The
    steady window from the rows' own insert times (inserted: when they passed 10 % and 90 %,
    sql/bench/013_steady.sql) when there are any, else from the progress samples (the statistics
    counters, which lag by up to a second); steady_from says which."""
    points = [(s.t, s.rows) for s in samples if start <= s.t <= last] + [(start, 0), (last, n)]
    window, source = (inserted, "insert times") if inserted and inserted[1] > inserted[0] else \
        (steady_window(points, n), "progress samples")
    out = {"events": n, "seconds": round(last - start, 2), "events_per_s": round(n / (last - start)),
           "steady_events_per_s": rate_over(window, n), "steady_from": source if window else None,
           "cpu_us_per_event": cpu_us_per_event(samples, start, last, n),
           "peak_pss_mib": peak_pss_mib(samples, start, last)}
    if window and window[1] > window[0]:
        out["steady_cpu_us_per_event"] = cpu_us_per_event(samples, *window, round((STEADY[1] - STEADY[0]) * n))
    return out


def peak_pss_mib(samples: list[Sample], a: float, b: float) -> dict[str, float]:
    """The largest PSS of each part seen in [a, b] (the samples nearest outside it too, when
    none falls inside: a short drain), and "total": the largest sum of the parts at one instant."""
    measured = [s for s in samples if s.pss_kib]
    inside = [s for s in measured if a <= s.t <= b]
    if not inside and measured:
        inside = [min(measured, key=lambda s: min(abs(s.t - a), abs(s.t - b)))]
    out: dict[str, float] = {}
    for s in inside:
        for k, v in s.pss_kib.items():
            out[k] = max(out.get(k, 0.0), round(v / 1024, 1))
    out["total"] = max((round(sum(s.pss_kib.values()) / 1024, 1) for s in inside), default=0.0)
    return out


def orders(names: list[str], rounds: int, seed: int) -> list[list[str]]:
    """Each round's order of the contenders, in pairs of rounds: a seeded shuffle, then the same
    order reversed. A reversed pair puts every contender at the same mean place (a drift over the
    run, the machine warming or the table's files growing, weighs on all alike, which a rotation
    does not: it moves a contender by a fixed step, so some are early in both rounds), and gives
    each one another predecessor (its successor of the round before). An odd last round is a new
    shuffle. The same seed, the same orders."""
    rng = random.Random(seed)
    plan: list[list[str]] = []
    for r in range(rounds):
        if r % 2:
            plan.append(plan[-1][::-1])
        else:
            order = list(names)
            rng.shuffle(order)
            plan.append(order)
    return plan


def median(values: list[float]) -> float:
    """The median; a whole number when the values are (rates are)."""
    m = statistics.median(values)
    return round(m) if all(isinstance(v, int) for v in values) else round(m, 1)


def summarize(runs: list[dict]) -> dict:
    """One contender's rounds as one figure each: the median of every number (nested ones too),
    the first round's value for anything else; `spread` gives [min, max] of the rates, and
    `rounds` every round as measured."""
    def merge(values: list):
        if all(isinstance(v, dict) for v in values):
            keys = [k for k in values[0] if all(k in v for v in values)]
            return {k: merge([v[k] for v in values]) for k in keys}
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return median(values)
        return values[0]

    out = merge(runs)
    out["spread"] = {k: [min(r[k] for r in runs), max(r[k] for r in runs)]
                     for k in ("events_per_s", "steady_events_per_s")
                     if all(isinstance(r.get(k), (int, float)) for r in runs)}
    out["rounds"] = runs
    return out
