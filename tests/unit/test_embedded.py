"""flinkfast/pipeline/embedded.py: what `python flinkfast_job.py`'s private namespace lets out."""
from __future__ import annotations

import pytest

from flinkfast import config
from flinkfast.pipeline import embedded
from flinkfast.errors import Unavailable


def test_every_broker_and_postgresql_are_relayed():
    cfg = config.load(env={"KAFKA_PORT": "19092", "KAFKA_BROKERS": "3", "POSTGRES_PORT": "15432"})
    assert embedded.ports(cfg) == [15432, 19092, 19093, 19094]


def test_a_service_off_loopback_is_one_clear_line():
    cfg = config.load(env={"POSTGRES_HOST": "db.example", "POSTGRES_PORT": "5432"})
    with pytest.raises(Unavailable) as e:
        embedded.ports(cfg)
    assert "db.example:5432" in str(e.value) and "\n" not in str(e.value)
