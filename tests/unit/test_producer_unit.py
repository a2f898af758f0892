"""The producer's parts that need no service: mapping API users to events, the generator, --help.

The sample in tests/data is in the shape randomuser.me documents (v1.4: login.uuid, dob.age,
street as an object, postcode sometimes a number and sometimes a string).
"""
import copy
import json
import subprocess
import sys
import uuid

import pytest

from flinkfast.paths import REPO_ROOT

from flinkfast.events import producer
from flinkfast.errors import UserError

ROOT = REPO_ROOT
SAMPLE = json.loads((ROOT / "tests" / "data" / "randomuser_response.json").read_text(encoding="utf-8"))
EVENT_FIELDS = {"uuid", "first_name", "last_name", "country", "age"}


def test_sample_has_numeric_and_string_postcodes():
    postcodes = [u["location"]["postcode"] for u in SAMPLE["results"]]
    assert any(isinstance(p, int) for p in postcodes) and any(isinstance(p, str) for p in postcodes)


def test_map_api_user_on_the_documented_sample():
    events = [producer.map_api_user(u) for u in SAMPLE["results"]]
    assert events == [
        {"uuid": "3f2a9c4e-8b1d-4e7a-9c3b-5d6e7f809a1b", "first_name": "Ярослава", "last_name": "Бондаренко",
         "country": "Ukraine", "age": 38},
        {"uuid": "b7e4c1d2-5a6f-4b8c-8d9e-0f1a2b3c4d5e", "first_name": "امیر", "last_name": "رضایی",
         "country": "Iran", "age": 67},
        {"uuid": "e1d2c3b4-a596-4877-b968-5a4b3c2d1e0f", "first_name": "Sølvi", "last_name": "Ødegård",
         "country": "Norway", "age": 26},
    ]


def test_map_api_user_ignores_other_fields():
    user = copy.deepcopy(SAMPLE["results"][0])
    user["location"] = {"country": "Ukraine", "postcode": None, "street": "a plain string now"}
    user["brand_new_field"] = [1, 2, 3]
    del user["picture"]
    assert producer.map_api_user(user)["country"] == "Ukraine"


@pytest.mark.parametrize("path", [("login", "uuid"), ("dob", "age"), ("name", "first"), ("location", "country")])
def test_map_api_user_missing_field_is_a_clear_error(path):
    user = copy.deepcopy(SAMPLE["results"][0])
    del user[path[0]][path[1]]
    with pytest.raises(UserError, match=rf"{'.'.join(path)} is missing"):
        producer.map_api_user(user)


def test_map_api_user_missing_parent_and_bad_age():
    user = copy.deepcopy(SAMPLE["results"][1])
    del user["login"]
    with pytest.raises(UserError, match=r"login\.uuid is missing"):
        producer.map_api_user(user)
    user = copy.deepcopy(SAMPLE["results"][1])
    user["dob"]["age"] = "old"
    with pytest.raises(UserError, match=r"dob\.age is not a number"):
        producer.map_api_user(user)


def test_generator_same_seed_same_events():
    assert list(producer.generate_events(2000, seed=42)) == list(producer.generate_events(2000, seed=42))


def test_generator_different_seeds_differ():
    a = list(producer.generate_events(100, seed=1))
    b = list(producer.generate_events(100, seed=2))
    assert [e["uuid"] for e in a] != [e["uuid"] for e in b]
    assert a != b


def test_generator_count_and_unbounded():
    assert len(list(producer.generate_events(0, seed=1))) == 0
    assert len(list(producer.generate_events(7, seed=1))) == 7
    unbounded = producer.generate_events(None, seed=1)
    assert len([next(unbounded) for _ in range(10)]) == 10


def test_generator_events_over_100k():
    events = list(producer.generate_events(100_000, seed=7))
    uuids = [e["uuid"] for e in events]
    assert len(set(uuids)) == len(uuids)
    for e in events[:5000]:
        assert set(e) == EVENT_FIELDS
        parsed = uuid.UUID(e["uuid"])
        assert str(parsed) == e["uuid"] and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    ages = [e["age"] for e in events]
    assert min(ages) == 18 and max(ages) == 99
    assert all(isinstance(a, int) for a in ages)
    names = {e["first_name"] for e in events} | {e["last_name"] for e in events}
    assert any(not n.isascii() for n in names)
    assert any("\u0400" <= ch <= "\u04ff" for n in names for ch in n)  # Cyrillic
    assert any("\u0600" <= ch <= "\u06ff" for n in names for ch in n)  # Persian (Arabic script)
    assert len({e["country"] for e in events}) >= 15


def test_generator_uuid_is_what_uuid_module_makes():
    """The generator formats the uuid by hand for speed; it must equal uuid.UUID(int=..., version=4)."""
    import random
    rng = random.Random(3)
    expected = []
    for _ in range(200):
        rng.random()  # the nationality pick comes first
        expected.append(str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        rng.random(), rng.random(), rng.random()  # first, last, age
    assert [e["uuid"] for e in producer.generate_events(200, seed=3)] == expected


def test_events_serialise_as_compact_utf8_json():
    event = producer.map_api_user(SAMPLE["results"][0])
    encoded = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    assert "Ярослава".encode() in encoded and b" " not in encoded


def test_summary_rate():
    s = producer.ProduceSummary(sent=500, failed=0, elapsed_s=2.0, uuids=[])
    assert s.events_per_s == 250
    assert producer.ProduceSummary(sent=0, failed=0, elapsed_s=0.0).events_per_s == 0.0
    assert "sent 500, failed 0" in s.line()


def test_help_has_description_examples_and_env_vars():
    out = subprocess.run([sys.executable, str(ROOT / "producer_api.py"), "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Send user events to Kafka" in text
    assert text.count("python producer_api.py") >= 2
    assert "--source generate" in text and "--source api" in text
    for env in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "RANDOMUSER_API_URL", "PRODUCER_SOURCE"):
        assert env in text
    assert "10 s" in text


@pytest.mark.parametrize("argv", [["--count", "0"], ["--rate", "-1"], ["--duration", "0"], ["--source", "nope"]])
def test_bad_flags_are_usage_errors(argv):
    out = subprocess.run([sys.executable, str(ROOT / "producer_api.py"), *argv], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr


def test_event_count_rules():
    sys.path.insert(0, str(ROOT))
    import producer_api
    parse = producer_api.parse_args
    assert producer_api.event_count(parse(["--count", "5"]), "generate") == 5
    assert producer_api.event_count(parse(["--rate", "100", "--duration", "3"]), "generate") == 300
    assert producer_api.event_count(parse(["--duration", "3"]), "generate") is None
    assert producer_api.event_count(parse(["--duration", "3"]), "api") == producer_api.DEFAULT_COUNT
    assert producer_api.event_count(parse([]), "api") == producer_api.DEFAULT_COUNT


def test_forever_runs_round_after_round_with_flat_memory(monkeypatch, tmp_path, capsys):
    """--forever: one produce() per round of --duration, each with a fresh generator (a seed per
    round), a summary line and the heartbeat touched per round; only an interrupt or a failed
    round ends it (here: the fourth round is interrupted)."""
    from flinkfast.cli import producer as cli
    calls = []

    def fake_produce(cfg, events, *, rate, duration, progress, total):
        first = next(iter(events))
        calls.append((first["uuid"], rate, duration, total))
        if len(calls) == 4:
            raise producer.Interrupted(producer.ProduceSummary(sent=1, failed=0, elapsed_s=1.0))
        assert heartbeat.exists() == (len(calls) > 1)
        return producer.ProduceSummary(sent=6, failed=0, elapsed_s=60.0)

    heartbeat = tmp_path / "alive"
    monkeypatch.setattr(producer, "produce", fake_produce)
    monkeypatch.setenv("KAFKA_PRODUCER_PASSWORD", "x")
    rc = cli.main(["--source", "generate", "--rate", "0.1", "--duration", "60", "--forever", "--seed", "7",
                   "--heartbeat", str(heartbeat), "--quiet"])
    assert rc == 130 and len(calls) == 4
    assert len({uuid for uuid, *_ in calls}) == 4, "every round makes new events"
    assert {(rate, duration, total) for _, rate, duration, total in calls} == {(0.1, 60.0, 6)}
    assert capsys.readouterr().out.count("sent 6, failed 0") == 3
    assert heartbeat.exists()


def test_forever_stops_at_a_round_kafka_did_not_acknowledge(monkeypatch, tmp_path):
    from flinkfast.cli import producer as cli
    from flinkfast.errors import Unavailable
    rounds = iter([producer.ProduceSummary(sent=6, failed=0, elapsed_s=1.0),
                   producer.ProduceSummary(sent=5, failed=1, elapsed_s=1.0, first_error="timed out")])
    monkeypatch.setattr(producer, "produce", lambda *a, **k: next(rounds))
    monkeypatch.setenv("KAFKA_PRODUCER_PASSWORD", "x")
    with pytest.raises(Unavailable, match="1 events were not acknowledged"):
        cli._run(cli.parse_args(["--source", "generate", "--rate", "1", "--duration", "6", "--forever", "--quiet",
                                 "--heartbeat", str(tmp_path / "alive")]))


@pytest.mark.parametrize("argv", [["--forever"], ["--forever", "--duration", "5", "--count", "3"],
                                  ["--forever", "--duration", "5", "--source", "api"]])
def test_forever_needs_a_round_length_and_the_generator(argv):
    out = subprocess.run([sys.executable, str(ROOT / "producer_api.py"), *argv], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and "--forever" in out.stderr and "Traceback" not in out.stderr, out.stderr
