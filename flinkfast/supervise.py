"""Keep a process running, like compose's `restart: unless-stopped`, for the local stack.

A Flink TaskManager exits when it crashes, is killed, or hits a fatal error (the JDBC sink's
failing flush during task cancellation is one); the job can only recover once a TaskManager
is back. This wrapper restarts the command when it exits and stops it when told to.

    python -m flinkfast.supervise -- COMMAND [ARG ...]

SIGTERM/SIGINT to the supervisor stops the child and ends the supervisor.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time

BACKOFF_S = (1, 2, 5, 10, 30)  # pauses between restarts; reset after a long healthy run
HEALTHY_RUN_S = 60


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        print("usage: python -m flinkfast.supervise -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    command = argv[1:]
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
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping:
            break
        failures = 0 if time.monotonic() - started > HEALTHY_RUN_S else failures + 1
        pause = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
        print(f"supervise: {command[0]} exited with code {code}; restarting in {pause}s", file=sys.stderr, flush=True)
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
