"""The local stack's processes as a whole: their state folder, log rotation and the lock."""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.paths import REPO_ROOT
from flinkfast.settings.option import option


@dataclass(frozen=True)
class Stack:
    flinkfast_state_dir: str = option(None, "folder for local-stack data, logs and pids",
                                      derive=lambda v: str(REPO_ROOT / ".state"))
    log_max_bytes: int = option(52428800, "a service's log is rotated past this size (stdout logs of the local stack)")
    log_backups: int = option(3, "rotated logs kept per service (NAME.log.1 ... NAME.log.N)")
    lock_wait_s: float = option(300.0, "seconds up/down/clean/submit wait for another one to finish before failing")
