"""The task slots for a benchmark: jobs found running are cancelled, and the user's pipeline
(JOB_NAME) is resubmitted at the end, however the benchmark ends (it resumes from its
committed offsets, and a replay changes nothing in the tables)."""
from __future__ import annotations

import contextlib

from flinkfast.pipeline import flinkrest, submit
from flinkfast.bench.drain import say
from flinkfast.config import Config


@contextlib.contextmanager
def claimed(cfg: Config, base: Config):
    found = flinkrest.running_jobs(cfg)
    for job in found:
        flinkrest.cancel(cfg, job["jid"])
    resubmit = any(j["name"] == base.job_name for j in found)
    if found:
        say(f"cancelled {len(found)} running job(s) for the slots"
            + (f"; {base.job_name} is resubmitted at the end" if resubmit else ""))
    try:
        yield
    finally:
        if resubmit:
            say(f"resubmitting {base.job_name}")
            submit.submit(base)
