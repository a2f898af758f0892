"""Where the CPU goes during a benchmark: per-process CPU time from /proc, a JDK Flight
Recorder profile of the TaskManager reduced to its top frames, and a perf profile of PostgreSQL
(the whole machine sampled on the CPU clock, its postgres processes' hottest functions).

    meter = CpuMeter(stack); ...work...; meter.per_event(n)
        -> {"taskmanager": 21.3, "postgres": 18.0, "kafka": 4.1, "client": 0.3, "rest": 1.2} µs/event

Library code: returns data, prints nothing.
"""
from __future__ import annotations

import collections
import os
import re
import shutil
import signal
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


class PerfRecording:
    """`perf record` of the whole machine on the CPU clock (no call graphs: PostgreSQL is built
    without frame pointers) for the duration of a with-block; top() gives one command's hottest
    functions by self time. Without perf (Debian's linux-perf), or where the kernel refuses it,
    it records nothing and says why."""

    HZ = 299  # samples a second per CPU: a few percent of one core at most

    def __init__(self, path: Path):
        self.path, self.proc, self.why_not = path, None, None

    def __enter__(self):
        perf = shutil.which("perf")
        if not perf:
            self.why_not = "perf is not installed (apt-get install linux-perf)"
            return self
        self.path.unlink(missing_ok=True)
        self.proc = subprocess.Popen([perf, "record", "-a", "-e", "cpu-clock", "-F", str(self.HZ), "-o", str(self.path)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def __exit__(self, *exc):
        if self.proc:
            self.proc.send_signal(signal.SIGINT)  # perf writes its file and exits on SIGINT
            try:
                err = self.proc.communicate(timeout=60)[1].decode(errors="replace").strip()
            except subprocess.TimeoutExpired:
                self.proc.kill()
                err = "perf record did not stop within 60 s"
            if not self.path.is_file():
                self.why_not = (err.splitlines() or ["perf record wrote nothing"])[-1]
        return False

    def top(self, comm: str, n: int = 15) -> dict:
        """The n functions of `comm` (postgres) with the most samples of their own, each as a share
        of that command's samples; or why there is no profile."""
        if self.why_not or not self.path.is_file():
            return {"unavailable": self.why_not or "no recording"}
        out = subprocess.run(["perf", "report", "-i", str(self.path), "--stdio", "--no-children", "--comms", comm,
                              "--sort", "dso,symbol", "--percentage", "relative"],
                             capture_output=True, text=True, timeout=600).stdout
        return {"command": comm, "top_functions": parse_perf_report(out)[:n]}


def parse_perf_report(text: str) -> list[dict]:
    """`perf report --stdio --sort dso,symbol` lines ("  12.34%  postgres  [.] ExecInsert") as
    [{"function", "dso", "self_pct"}], hottest first; comments and blank lines skipped."""
    out = []
    for line in text.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.+?)\s*$", line)
        if m:
            # perf pads the line with empty columns ("-      -") when it has no source line to show
            name = re.sub(r"(\s+-)+$", "", m.group(3))
            out.append({"function": name, "dso": m.group(2), "self_pct": float(m.group(1))})
    return sorted(out, key=lambda f: -f["self_pct"])


class Profiles:
    """--profile: the TaskManager's flight recording and PostgreSQL's perf profile, together, over
    one drain; summary() is what the benchmark's JSON keeps."""

    def __init__(self, taskmanager_pid: int, jfr: Path):
        self.jfr = FlightRecording(taskmanager_pid, jfr)
        self.perf = PerfRecording(jfr.with_name(jfr.name.replace("-taskmanager.jfr", "") + "-postgres.perf.data"))

    def __enter__(self):
        self.jfr.__enter__()
        self.perf.__enter__()
        return self

    def __exit__(self, *exc):
        self.perf.__exit__(*exc)
        return self.jfr.__exit__(*exc)

    def summary(self) -> dict:
        return {"file": str(self.jfr.path), "top_frames": self.jfr.top(15),
                "project_and_connector_frames": self.jfr.top_inclusive(
                    r"flinkfast|jdbc|postgresql|kafka\.clients|JsonRowData|StreamExecCalc|Correlate", 12),
                "postgres": {"file": str(self.perf.path), **self.perf.top("postgres", 20)}}


def _jcmd(pid: int, *args: str) -> str:
    r = subprocess.run(["jcmd", str(pid), *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        from flinkfast.errors import Unavailable
        raise Unavailable(f"jcmd {pid} {args[0]} failed: {(r.stdout + r.stderr).strip().splitlines()[-1:]}")
    return r.stdout
