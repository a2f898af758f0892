"""Run a service of the local stack: its output into a size-rotated log, and (by default)
restarted when it exits, like compose's `restart: unless-stopped`.

A Flink TaskManager or JobManager exits when it crashes, is killed, or hits a fatal error;
the job can only recover once both are back; ZooKeeper likewise (another local user can make
it exit by exhausting its file descriptors). Kafka runs with --once: the log is rotated, and the
wrapper ends when it does.

    python -m flinkfast.stack.supervise [--log FILE --max-bytes N --backups K] [--once] -- COMMAND [ARG ...]

SIGTERM/SIGINT to the wrapper stops the command and ends the wrapper.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BACKOFF_S = (1, 2, 5, 10, 30)  # pauses between restarts; reset after a long healthy run
HEALTHY_RUN_S = 60


class RotatingLog:
    """Appends bytes to path; past max_bytes the file becomes path.1 (path.1 -> path.2 ...),
    keeping `backups` old files, so a service's log never grows without bound."""

    def __init__(self, path: Path | None, max_bytes: int, backups: int):
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self.lock = threading.Lock()
        self.out = self._open() if path else sys.stdout.buffer

    def _open(self):
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, "ab", buffering=0)

    def write(self, data: bytes) -> None:
        with self.lock:
            self.out.write(data)
            if self.path and self.max_bytes and self.out.tell() >= self.max_bytes:
                self._rotate()

    def _rotate(self) -> None:
        self.out.close()
        for i in range(self.backups - 1, 0, -1):
            older = Path(f"{self.path}.{i}")
            if older.exists():
                older.replace(f"{self.path}.{i + 1}")
        if self.backups:
            self.path.replace(f"{self.path}.1")
        else:
            self.path.unlink(missing_ok=True)
        self.out = self._open()


def _copy(stream, log: RotatingLog) -> None:
    for line in iter(stream.readline, b""):
        log.write(line)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m flinkfast.stack.supervise", description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", type=Path, help="append the command's output here (default: stdout)")
    parser.add_argument("--max-bytes", type=int, default=50 * 2**20, help="rotate the log past this size (0: never)")
    parser.add_argument("--backups", type=int, default=3, help="rotated logs kept (FILE.1 ... FILE.K)")
    parser.add_argument("--once", action="store_true", help="do not restart the command; exit with its code")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...]")
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command: python -m flinkfast.stack.supervise [options] -- COMMAND [ARG ...]")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    log = RotatingLog(args.log, args.max_bytes, args.backups)
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        if child and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    failures = 0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(args.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        copier = threading.Thread(target=_copy, args=(child.stdout, log), daemon=True)
        copier.start()
        code = child.wait()
        copier.join(timeout=5)
        if stopping or args.once:
            return code if args.once and not stopping else 0
        failures = 0 if time.monotonic() - started > HEALTHY_RUN_S else failures + 1
        pause = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
        log.write(f"supervise: {args.command[0]} exited with code {code}; restarting in {pause}s\n".encode())
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.2)
        if stopping:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
