"""The topic's settings the guarantees rest on (flinkfast/topics/policy.py), as a pure step: what
`submit` refuses and `status` and the dashboard say."""
from __future__ import annotations

import pytest

from flinkfast import config
from flinkfast.accounting.health import JobHealth
from flinkfast.topics.policy import CLEANUP_POLICY, TIMESTAMP_TYPE, problems_of

CFG = config.load(env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092"})
GOOD = {TIMESTAMP_TYPE: "LogAppendTime", CLEANUP_POLICY: "delete"}


def test_the_broker_clock_and_delete_are_no_problem():
    assert problems_of(CFG, "t", GOOD) == []


def test_a_producers_clock_is_one_line_with_its_command():
    (line,) = problems_of(CFG, "t", {**GOOD, TIMESTAMP_TYPE: "CreateTime"})
    assert line.startswith("topic t has message.timestamp.type=CreateTime: ")
    assert line.endswith("kafka-configs.sh --bootstrap-server 127.0.0.1:9092 --command-config <admin.properties> "
                         "--alter --entity-type topics --entity-name t --add-config message.timestamp.type=LogAppendTime")


@pytest.mark.parametrize("policy", ["compact", "compact,delete", "delete,compact"])
def test_compaction_in_any_form_is_one_line_with_its_command(policy):
    (line,) = problems_of(CFG, "t", {**GOOD, CLEANUP_POLICY: policy})
    assert line.startswith(f"topic t has cleanup.policy={policy}: Kafka's log cleaner deletes messages inside the log")
    assert line.endswith("--entity-name t --add-config cleanup.policy=delete")


def test_both_wrong_are_two_lines_and_status_says_them():
    lines = problems_of(CFG, "t", {TIMESTAMP_TYPE: "CreateTime", CLEANUP_POLICY: "compact"})
    assert len(lines) == 2
    h = JobHealth("j", state="RUNNING", topic_settings=lines)
    assert not h.ok and all(line in h.problems for line in lines)
