"""Where the CPU goes during a benchmark: per-process CPU time from /proc, and a JDK Flight
Recorder profile of the TaskManager reduced to its top frames.

    meter = CpuMeter(stack); ...work...; meter.per_event(n)
        -> {"taskmanager": 21.3, "postgres": 18.0, "kafka": 4.1, "client": 0.3, "rest": 1.2} µs/event

Library code: returns data, prints nothing.
"""
from __future__ import annotations

import collections
import os
import re
import subprocess
import time
from pathlib import Path

from flinkfast.stack import process

TICK_S = 1 / os.sysconf("SC_CLK_TCK")
# How the table groups the stack's processes, by kind (every TaskManager under taskmanager, every
# broker under kafka); "client" is this process (the benchmark's own consumer, COPY sender and
# progress poll), "rest" everything else of the stack.
GROUPS = {"taskmanager": "taskmanager", "postgres": "postgres", "kafka": "kafka",
          "jobmanager": "rest", "zookeeper": "rest"}


def _self_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def cpu_seconds(stack) -> dict[str, float]:
    """CPU seconds each part of the stack has used so far (its processes' and their children's)."""
    out: dict[str, float] = collections.defaultdict(float)
    for svc in stack.services:
        pid = svc.pid()
        if pid:
            out[GROUPS.get(svc.kind, "rest")] += process.cpu_ticks(pid) * TICK_S
    out["client"] = _self_cpu_s()
    return dict(out)


class CpuMeter:
    """CPU seconds each part of the stack used between construction and per_event()."""

    def __init__(self, stack):
        self.stack = stack
        self.start = self._sample()

    def _sample(self) -> dict[str, float]:
        return cpu_seconds(self.stack)

    def per_event(self, events: int) -> dict[str, float]:
        end = self._sample()
        used = {k: max(0.0, end.get(k, 0.0) - self.start.get(k, 0.0)) for k in
                ("taskmanager", "postgres", "kafka", "client", "rest")}
        out = {k: round(v / events * 1e6, 1) for k, v in used.items()}
        out["total"] = round(sum(used.values()) / events * 1e6, 1)
        return out


class FlightRecording:
    """JFR on a JVM (the TaskManager) for the duration of a with-block; top() summarises it."""

    def __init__(self, pid: int, path: Path):
        self.pid, self.path = pid, path

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)
        _jcmd(self.pid, "JFR.start", "name=flinkfast-bench", "settings=profile")
        return self

    def __exit__(self, *exc):
        _jcmd(self.pid, "JFR.stop", "name=flinkfast-bench", f"filename={self.path}")
        deadline = time.monotonic() + 30
        while not self.path.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        return False

    def top(self, n: int = 15) -> list[dict]:
        """The hottest frames: the method on top of each CPU sample, and the share of samples
        in which a method appears anywhere on the stack (inclusive), for project and Flink code."""
        out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64",
                              str(self.path)], capture_output=True, text=True, timeout=600).stdout
        samples = out.split("jdk.ExecutionSample")[1:]
        own: collections.Counter = collections.Counter()
        inclusive: collections.Counter = collections.Counter()
        for sample in samples:
            frames = re.findall(r"^\s+([\w$.<>]+)\(.*?\)\s+line:", sample, re.M)
            if not frames:
                continue
            own[frames[0]] += 1
            for f in set(frames):
                inclusive[f] += 1
        total = max(1, sum(own.values()))
        return [{"frame": f, "self_pct": round(100 * c / total, 1), "total_pct": round(100 * inclusive[f] / total, 1)}
                for f, c in own.most_common(n)]

    def top_inclusive(self, pattern: str, n: int = 10) -> list[dict]:
        """Inclusive shares of the frames whose name matches pattern (e.g. the job's function)."""
        out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64",
                              str(self.path)], capture_output=True, text=True, timeout=600).stdout
        samples = out.split("jdk.ExecutionSample")[1:]
        inclusive: collections.Counter = collections.Counter()
        for sample in samples:
            for f in set(re.findall(r"^\s+([\w$.<>]+)\(.*?\)\s+line:", sample, re.M)):
                if re.search(pattern, f):
                    inclusive[f] += 1
        total = max(1, len(samples))
        return [{"frame": f, "total_pct": round(100 * c / total, 1)} for f, c in inclusive.most_common(n)]


def _jcmd(pid: int, *args: str) -> str:
    r = subprocess.run(["jcmd", str(pid), *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        from flinkfast.errors import Unavailable
        raise Unavailable(f"jcmd {pid} {args[0]} failed: {(r.stdout + r.stderr).strip().splitlines()[-1:]}")
    return r.stdout
