"""Transactions and time (issue 26), on the real stack.

Transactions: the job reads committed records only, so a record of an aborted transaction reaches
no table; reconcile reads Kafka where the offsets placed do not fill a range, so a transaction's
markers are no gap; and the waits end while an open transaction holds the last stable offset.

Time: a record's clock is the broker's append time (every topic is LogAppendTime): whatever a
producer stamps, far ahead or far behind, a row's kafka_ts_ms is when the broker appended it, its
latencies are not negative, and its uuid's winner is decided by append order. `submit` refuses a
topic stamped by its producers (CreateTime), and a record appended before its topic was switched is
a dead letter of its own reason.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid as uuidlib

import pytest

from flinkfast.accounting import health, lost, reconcile, report
from flinkfast.errors import TimedOut
from flinkfast.topics import generations, holes as topicholes, retention, scan as topicscan, transactions
from flinkfast.clients import LOG_APPEND_TIME, TIMESTAMP_TYPE, kafka_admin, kafka_producer, pg_connect, wait_until
from flinkfast.paths import REPO_ROOT
from flinkfast.accounting.verify import Landing
from tests.helpers import delete_rows, event, send_records

pytestmark = pytest.mark.e2e
DAY_MS = 86_400_000
KEEP_FOREVER = {"retention.ms": "-1"}
FAST_CHECKPOINTS = {"CHECKPOINT_INTERVAL_MS": "2000"}  # the group commits sooner: the drains wait less


def uuids_in_tables(cfg) -> dict[str, set[str]]:
    """uuid (or, for a dead letter, the payload's text) -> the tables holding a message of the topic."""
    found: dict[str, set[str]] = {}
    with report.connect(cfg) as conn, conn.cursor() as cur:
        for table in ("processed_events", "superseded_events"):
            cur.execute(f"SELECT uuid FROM {table} WHERE kafka_topic = %s", (cfg.kafka_topic,))
            for (u,) in cur.fetchall():
                found.setdefault(u, set()).add(table)
        cur.execute("SELECT convert_from(payload, 'UTF8') FROM dead_letter_events WHERE kafka_topic = %s",
                    (cfg.kafka_topic,))
        for (text,) in cur.fetchall():
            found.setdefault(text, set()).add("dead_letter_events")
    return found


def transaction(kafka, cfg, uuids: list[str], commit: bool | None) -> None:
    """One transaction of one event per uuid over the partitions: committed, aborted, or left open (None)."""
    kafka.begin_transaction()
    for i, u in enumerate(uuids):
        kafka.send(cfg.kafka_topic, value=event(u), partition=i % cfg.kafka_partitions)
    kafka.flush(timeout=30)
    if commit is True:
        kafka.commit_transaction()
    elif commit is False:
        kafka.abort_transaction()


def test_aborted_records_are_never_placed_and_markers_are_no_gap(run_job, monkeypatch):
    cfg, _ = run_job(FAST_CHECKPOINTS)
    tag = cfg.kafka_topic
    committed = [f"{tag}-c{i}" for i in range(12)]
    aborted = [f"{tag}-a{i}" for i in range(8)]
    still_open = [f"{tag}-o{i}" for i in range(4)]
    # As the admin principal: a transactional id needs TransactionalId and IdempotentWrite ACLs,
    # which the producer's principal does not have.
    kafka = kafka_producer(cfg, role="admin", transactional_id=f"txn-{tag}", enable_idempotence=True)
    try:
        kafka.init_transactions()
        transaction(kafka, cfg, committed[:4], commit=True)
        transaction(kafka, cfg, aborted[:4], commit=False)
        send_records(cfg, [(event(u), i % cfg.kafka_partitions, None) for i, u in enumerate(committed[4:8])])
        transaction(kafka, cfg, aborted[4:], commit=False)
        transaction(kafka, cfg, committed[8:], commit=True)
        with Landing(cfg, committed) as landing:
            landing.wait(timeout=120, progress=False)
        transaction(kafka, cfg, still_open, commit=None)
        # The open transaction holds the last stable offset: the wait ends, and says so in one line.
        note = reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 120)
        assert note and "open transactions" in note and "\n" not in note, note
        assert health.consumer_lag(cfg) == (0, []), "markers and an open transaction are no lag for `status`"
        # ... but the stall is said: held past the bound (0 s here, 30 s in `status`), each partition by name.
        monkeypatch.setattr(transactions, "HELD_S", 0)
        status = health.job_health(cfg)
        assert len(status.held) == cfg.kafka_partitions and all("an open transaction" in h for h in status.held)
        assert not status.ok and all(h in status.problems for h in status.held), status.problems
        result = reconcile.reconcile(cfg)
        assert result.ok, result.text()
        assert sum(p.consumed for p in result.partitions) == len(committed), result.text()
        # Every partition had markers (and some aborted records): offsets that are no record, told apart.
        assert all(p.not_records > 0 for p in result.partitions), result.text()
        stray_and_missing_are_found(cfg, result.partitions[0])
        where = uuids_in_tables(cfg)
        assert {u: where.get(u) for u in committed} == {u: {"processed_events"} for u in committed}
        placed_aborted = [k for k in where if any(a in k for a in aborted + still_open)]
        assert placed_aborted == [], f"records of aborted or open transactions were placed: {placed_aborted}"
        kafka.commit_transaction()  # the open one: its records come now
        with Landing(cfg, still_open) as landing:
            landing.wait(timeout=120, progress=False)
        assert reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 120) is None
        assert health.consumer_lag(cfg) == (0, []), "the commit markers at the end are no lag"
        assert transactions.problems(cfg) == [], "committed: nothing holds the partitions any more"
        result = reconcile.reconcile(cfg)
        assert result.ok and sum(p.consumed for p in result.partitions) == len(committed + still_open), result.text()
    finally:
        kafka.close()
    # Retention (DeleteRecords here) cuts every partition at its end: the group's committed offset
    # is on the last commit marker, read (above) before the cut. No loss, and a resubmit moves past it.
    first, end, held = reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    assert all(held[p] < end[p] for p in end), "the job commits the last record + 1: its offset is on the marker"
    delete_records(cfg, end)
    assert lost.found(cfg) == [], "offsets that held only markers, cut, are no loss"
    result = reconcile.reconcile(cfg)
    assert result.ok and all(p.markers_cut for p in result.partitions), result.text()
    lines = health.consumer_lag(cfg)[1]
    assert len(lines) == cfg.kafka_partitions and all("held only transaction markers" in x for x in lines), lines
    cfg, _ = run_job(FAST_CHECKPOINTS)   # a resubmit (submit, the job server) moves the group past them
    first, _, held = reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    assert held == first and health.consumer_lag(cfg) == (0, [])


def stray_and_missing_are_found(cfg, part) -> None:
    """A row moved (as the superuser) from its record's offset to an offset that holds none (a
    marker, an aborted record): reconcile finds the stray row and the record missing; put back."""
    hole = min(topicholes.offsets(cfg, cfg.kafka_topic, generations.topic_id(cfg, cfg.kafka_topic), part.partition,
                                  part.first_offset, part.upto_offset))
    where = "kafka_topic = %s AND kafka_partition = %s AND kafka_offset = %s"
    admin = pg_connect(cfg, "admin")
    with admin, admin.cursor() as cur:
        cur.execute("SET session_replication_role = replica")   # no trigger: the row moves, no superseded copy
    try:
        with admin, admin.cursor() as cur:
            cur.execute("SELECT min(kafka_offset) FROM processed_events WHERE kafka_topic = %s AND kafka_partition = %s",
                        (cfg.kafka_topic, part.partition))
            moved = cur.fetchone()[0]
            cur.execute(f"UPDATE processed_events SET kafka_offset = %s WHERE {where}", (hole, cfg.kafka_topic, part.partition, moved))
        found = reconcile.reconcile(cfg).partitions[part.partition]
        assert (found.stray_offsets, found.missing_offsets) == ([hole], [moved]) and not found.ok, found
    finally:
        with admin, admin.cursor() as cur:
            cur.execute(f"UPDATE processed_events SET kafka_offset = %s WHERE {where}", (moved, cfg.kafka_topic, part.partition, hole))
        admin.close()
    assert reconcile.reconcile(cfg).ok


def delete_records(cfg, before: dict[int, int]) -> None:
    """What retention does: each partition's log starts at before[p] (DeleteRecords, as the admin)."""
    from kafka import TopicPartition
    admin = kafka_admin(cfg)
    try:
        admin.delete_records({TopicPartition(cfg.kafka_topic, p): o for p, o in before.items()})
    finally:
        admin.close()


def test_the_scan_reads_committed_records_only(stack, cfg, topic):
    """topicscan on a range with markers and an aborted record: the committed records, with the broker's clock."""
    tcfg = cfg.replace(kafka_topic=topic)
    before = int(time.time() * 1000)
    kafka = kafka_producer(tcfg, role="admin", transactional_id=f"scan-{topic}", enable_idempotence=True)
    try:
        kafka.init_transactions()
        for commit, name in ((True, "a"), (False, "b"), (True, "c")):
            kafka.begin_transaction()
            kafka.send(topic, value=name.encode(), partition=0, timestamp_ms=1)
            kafka.flush()
            kafka.commit_transaction() if commit else kafka.abort_transaction()
    finally:
        kafka.close()
    after = int(time.time() * 1000)
    records = list(topicscan.scan(tcfg, topic, 0, 0, 10_000))
    assert [(r.partition, r.offset, r.value) for r in records] == [(0, 0, b"a"), (0, 4, b"c")]
    assert all(r.timestamp_type == "LogAppendTime" and before <= r.timestamp_ms <= after for r in records), records
    assert topicscan.first_record(tcfg, topic, 0, 1, 10_000) == 4
    assert topicscan.first_record(tcfg, topic, 0, 5, 10_000) is None, "only a marker after the last record"


def test_what_holds_no_record_is_read_once_and_remembered(stack, cfg, topic, monkeypatch):
    """holes.offsets on a range with markers and an aborted record: the offsets that hold no
    record; a later, longer range reads only its new part; a part of what was read, or a range past
    the last stable offset, reads nothing more; another topic id (a re-created topic) reads anew."""
    tcfg = cfg.replace(kafka_topic=topic)
    scans: list[tuple[int, int]] = []
    real_scan = topicscan.scan
    monkeypatch.setattr(topicscan, "scan", lambda c, t, p, first, upto, **kw: scans.append((first, upto))
                        or real_scan(c, t, p, first, upto, **kw))
    kafka = kafka_producer(tcfg, role="admin", transactional_id=f"holes-{topic}", enable_idempotence=True)

    def send(*names_commit):
        for name, commit in names_commit:
            kafka.begin_transaction()
            kafka.send(topic, value=name.encode(), partition=0)
            kafka.flush()
            kafka.commit_transaction() if commit else kafka.abort_transaction()
    try:
        kafka.init_transactions()
        send(("a", True), ("b", False), ("c", True))           # a 0, marker 1, b 2, marker 3, c 4, marker 5
        topic_id = generations.topic_id(tcfg, topic)
        assert topicholes.offsets(tcfg, topic, topic_id, 0, 0, 6) == {1, 2, 3, 5} and scans == [(0, 6)]
        send(("d", True))                                      # d 6, marker 7
        # read up to the last stable offset (8) and judged no further: past it nothing is called a hole
        assert topicholes.offsets(tcfg, topic, topic_id, 0, 0, 1_000) == {1, 2, 3, 5, 7}
        assert scans == [(0, 6), (6, 1_000)], "only what is new is read"
        assert topicholes.offsets(tcfg, topic, topic_id, 0, 0, 8) == {1, 2, 3, 5, 7} and len(scans) == 2
        assert topicholes.offsets(tcfg, topic, topic_id, 0, 2, 5) == {2, 3} and len(scans) == 2
        assert topicholes.offsets(tcfg, topic, "another-id", 0, 0, 8) == {1, 2, 3, 5, 7} and scans[-1] == (0, 8)
    finally:
        kafka.close()
        topicholes.forget()


def committed_transactions(cfg, topic: str, tag: str, batches: list[tuple[list[bytes], bool]]):
    """Transactions on partition 0 of `topic`, each committed or aborted, as the admin principal."""
    kafka = kafka_producer(cfg, role="admin", transactional_id=f"{tag}-{topic}", enable_idempotence=True)
    try:
        kafka.init_transactions()
        for values, commit in batches:
            kafka.begin_transaction()
            for v in values:
                kafka.send(topic, value=v, partition=0)
            kafka.flush()
            kafka.commit_transaction() if commit else kafka.abort_transaction()
    finally:
        kafka.close()


def test_a_log_cut_while_reconcile_reads_hides_nothing(stack, cfg, topic, monkeypatch):
    """DeleteRecords lands between reconcile's reading of the first offsets and its read of the
    range (found by attack): the read must not jump to the end and take the range for holes (for
    good: they are remembered). Reconciled again from the new start; every later check still
    finds the committed records in no table."""
    tcfg = cfg.replace(kafka_topic=topic, kafka_group_id=topic)
    # a 0, b 1, marker 2 | c 3, d 4, marker 5 | aborted x 6, y 7, marker 8 | e 9, f 10, marker 11
    committed_transactions(tcfg, topic, "cut", [([b"a", b"b"], True), ([b"c", b"d"], True), ([b"x", b"y"], False),
                                                ([b"e", b"f"], True)])
    real = reconcile.kafka_offsets
    cut = []

    def offsets_then_cut(c, t, g):
        found = real(c, t, g)
        if not cut:
            cut.append(3)
            delete_records(tcfg, {0: 3})          # retention or an operator, right now
        return found
    monkeypatch.setattr(reconcile, "kafka_offsets", offsets_then_cut)
    try:
        raced = reconcile.reconcile(tcfg, to_end=True)
        monkeypatch.setattr(reconcile, "kafka_offsets", real)
        later = reconcile.reconcile(tcfg, to_end=True)
        assert cut and not raced.ok and (raced.partitions[0].first_offset, raced.partitions[0].missing) == (3, 4), raced.text()
        assert not later.ok and later.partitions[0].missing_offsets == [3, 4, 9, 10], later.text()
        with pytest.raises(TimedOut):
            reconcile.wait_placed(tcfg, topic, 3)
    finally:
        topicholes.forget()


def test_a_row_placed_past_the_last_stable_offset_is_stray(stack, cfg, topic):
    """The group committed past the last stable offset (the job's principal may commit anything)
    and rows stand at an open transaction's offsets: they hold no committed record (yet), so they
    are strays, as before the holes were remembered (found by attack)."""
    tcfg = cfg.replace(kafka_topic=topic, kafka_group_id=topic)
    committed_transactions(tcfg, topic, "lso", [([b"a", b"b"], True)])          # 0, 1, marker 2
    kafka = kafka_producer(tcfg, role="admin", transactional_id=f"open-{topic}", enable_idempotence=True)
    try:
        kafka.init_transactions()
        kafka.begin_transaction()
        for v in (b"x", b"y"):                                                  # 3, 4: left open
            kafka.send(topic, value=v, partition=0)
        kafka.flush()
        now = int(time.time() * 1000)
        with pg_connect(tcfg, "writer") as conn, conn.cursor() as cur:          # the writer's password
            for o in (0, 1, 3, 4):
                cur.execute("INSERT INTO dead_letter_events_in VALUES (%s, 0, %s, 'forged', 'z', %s, %s, %s)",
                            (topic, o, now, now, 1000 + o))
        retention.commit(tcfg, {0: 5})                                          # past the last stable offset (3)
        part = reconcile.reconcile(tcfg).partitions[0]
        assert (part.upto_offset, part.stray_offsets) == (5, [3, 4]) and not part.ok, part
    finally:
        kafka.abort_transaction()
        kafka.close()
        topicholes.forget()
        delete_rows(tcfg, [topic])


def test_the_brokers_clock_stamps_every_row(run_job):
    """Far-future and far-past producer stamps change nothing: the broker's append time decides."""
    cfg, _ = run_job(FAST_CHECKPOINTS)
    tag = cfg.kafka_topic
    ahead, behind, both = f"{tag}-ahead", f"{tag}-behind", f"{tag}-both"
    before = int(time.time() * 1000)
    acked = send_records(cfg, [(event(ahead), 1, before + 365 * DAY_MS),
                               (event(behind), 2, 1),                                 # 1970
                               (event(both, "Future"), 0, before + 3650 * DAY_MS)])
    acked += send_records(cfg, [(event(both, "Past"), 0, 1_000)])                   # appended after: wins
    after = int(time.time() * 1000)
    assert all(before <= ts <= after for _, _, ts in acked), acked
    with Landing(cfg, [ahead, behind, both]) as landing:
        landing.wait(timeout=120, progress=False)
    reconcile.wait_placed(cfg, cfg.kafka_topic, 120)
    result = reconcile.reconcile(cfg, to_end=True)
    assert result.ok, result.text()
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("SELECT uuid, first_name, kafka_offset, kafka_ts_ms, flink_ts_ms,"
                    "       extract(epoch FROM postgres_timestamp) * 1000"
                    "  FROM processed_events WHERE kafka_topic = %s", (tag,))
        rows = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("SELECT kafka_offset, kafka_ts_ms FROM superseded_events WHERE kafka_topic = %s", (tag,))
        superseded = cur.fetchall()
    assert set(rows) == {ahead, behind, both}
    for u, (_, _, ts, flink_ts, pg_ms) in rows.items():
        assert before <= ts <= after, f"{u}: kafka_ts_ms {ts} is not the broker's append time ({before}..{after})"
        assert ts <= flink_ts <= pg_ms + 1, f"{u}: a negative latency: kafka {ts}, flink {flink_ts}, postgres {pg_ms}"
    assert rows[both][:2] == ("Past", acked[3][1]), "the later append wins, whatever its producer stamped"
    assert superseded == [(acked[2][1], acked[2][2])]


def test_a_topic_its_producers_stamp_is_refused_and_its_old_records_are_dead_letters(stack, cfg, topic, jobserver,
                                                                                     run_job):
    """A CreateTime topic: `submit` refuses it with one line naming kafka-configs. Switched, the job
    runs, and a record appended before the switch (its producer's stamp) is a dead letter."""
    from kafka.admin import ConfigResource, ConfigResourceType
    name = f"ct-{uuidlib.uuid4().hex[:10]}"
    admin = kafka_admin(cfg)
    try:
        # retention.ms=-1: a record stamped 1970 is past any retention by time, and the broker's next
        # retention check (30 s after it starts, then every 5 min) would delete its segment before the
        # job reads it (seen in CI: no dead letter, the log starting after the record).
        admin.create_topics({name: {"num_partitions": 1, "replication_factor": cfg.kafka_replication_factor,
                                    "configs": {TIMESTAMP_TYPE: "CreateTime", **KEEP_FOREVER}}})
        from flinkfast.clients import grant, kafka_acls
        grant(admin, kafka_acls(cfg, name, name))
    finally:
        admin.close()
    tcfg = cfg.replace(kafka_topic=name, kafka_group_id=name, job_name=f"e2e-{name}")
    try:
        env = {**os.environ, **tcfg.as_env()}
        r = subprocess.run([sys.executable, "-m", "flinkfast.cli", "submit"], cwd=REPO_ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "message.timestamp.type=CreateTime" in lines[0], r.stderr
        assert f"kafka-configs.sh --bootstrap-server {cfg.kafka_bootstrap_servers}" in lines[0], lines[0]
        assert f"--entity-name {name} --add-config message.timestamp.type=LogAppendTime" in lines[0], lines[0]
        old = send_records(tcfg, [(event(f"{name}-old"), 0, 1_000)])           # stamped by its producer
        admin = kafka_admin(cfg)
        try:
            # AlterConfigs replaces the topic's whole configuration: retention.ms again.
            admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name,
                                                {TIMESTAMP_TYPE: LOG_APPEND_TIME, **KEEP_FOREVER})])
        finally:
            admin.close()
        wait_until(lambda: send_records(tcfg, [(event(f"{name}-probe"), 0, 1_000)])[0][2] != 1_000, 60,
                   "the topic's records stamped by the broker after the switch")
        run_job({**FAST_CHECKPOINTS, "KAFKA_TOPIC": name, "KAFKA_GROUP_ID": name, "JOB_NAME": f"e2e-{name}"})
        with Landing(tcfg, [f"{name}-probe"]) as landing:
            landing.wait(timeout=120, progress=False)
        reconcile.wait_placed(tcfg, name, 120)
        result = reconcile.reconcile(tcfg, to_end=True)
        assert result.ok, result.text()
        with report.connect(cfg) as conn, conn.cursor() as cur:
            # The old record, and any probe sent before the switch took effect: stamped by their producer.
            cur.execute("SELECT kafka_offset, reason, kafka_ts_ms FROM dead_letter_events WHERE kafka_topic = %s", (name,))
            letters = cur.fetchall()
            assert (old[0][1], "Kafka timestamp not set by the broker", 1_000) in letters
            assert {(reason, ts) for _, reason, ts in letters} == {("Kafka timestamp not set by the broker", 1_000)}
            cur.execute("SELECT count(*) FROM processed_events WHERE uuid = %s", (f"{name}-old",))
            assert cur.fetchone()[0] == 0
    finally:
        from flinkfast.clients import delete_topics
        delete_topics(cfg, [name])


def test_a_compacted_topic_is_refused_and_settings_changed_under_the_job_are_said(stack, cfg, run_job):
    """cleanup.policy=compact: `submit` refuses the topic with one line naming kafka-configs (the log
    cleaner would delete messages inside the log, read or not, without a trace). A running job's
    topic switched to compact, or to its producers' clocks, is named by `status` until it is set back
    (found by an attack: compaction deleted unread messages while status and reconcile said OK)."""
    from kafka.admin import ConfigResource, ConfigResourceType
    from flinkfast.clients import grant, kafka_acls
    from flinkfast.topics.policy import CLEANUP_POLICY
    name = f"cp-{uuidlib.uuid4().hex[:10]}"
    admin = kafka_admin(cfg)
    try:
        admin.create_topics({name: {"num_partitions": 1, "replication_factor": cfg.kafka_replication_factor,
                                    "configs": {TIMESTAMP_TYPE: LOG_APPEND_TIME, CLEANUP_POLICY: "compact"}}})
        grant(admin, kafka_acls(cfg, name, name))
    finally:
        admin.close()
    try:
        tcfg = cfg.replace(kafka_topic=name, kafka_group_id=name, job_name=f"e2e-{name}")
        r = subprocess.run([sys.executable, "-m", "flinkfast.cli", "submit"], cwd=REPO_ROOT,
                           env={**os.environ, **tcfg.as_env()}, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and f"topic {name} has cleanup.policy=compact" in lines[0], r.stderr
        assert f"--entity-name {name} --add-config cleanup.policy=delete" in lines[0], lines[0]
    finally:
        from flinkfast.clients import delete_topics
        delete_topics(cfg, [name])

    jcfg, _ = run_job()
    topic = jcfg.kafka_topic

    def switch(settings: dict) -> None:   # AlterConfigs replaces the topic's whole configuration
        a = kafka_admin(cfg)
        try:
            a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, settings)])
        finally:
            a.close()

    assert not [p for p in health.job_health(jcfg).problems if "cleanup.policy" in p or TIMESTAMP_TYPE in p]
    for settings, said in (({TIMESTAMP_TYPE: LOG_APPEND_TIME, CLEANUP_POLICY: "compact"}, "cleanup.policy=compact"),
                           ({TIMESTAMP_TYPE: "CreateTime", CLEANUP_POLICY: "delete"}, f"{TIMESTAMP_TYPE}=CreateTime")):
        switch(settings)
        line = f"topic {topic} has {said}"
        wait_until(lambda line=line: any(line in p for p in health.job_health(jcfg).problems), 30,
                   f"status naming {said}")
        status = subprocess.run([sys.executable, "-m", "flinkfast.stack", "status"], cwd=REPO_ROOT,
                                env={**os.environ, **jcfg.as_env()}, capture_output=True, text=True, timeout=120)
        assert status.returncode == 1 and f"topic {topic} has {said}" in status.stdout, status.stdout
    switch({TIMESTAMP_TYPE: LOG_APPEND_TIME, CLEANUP_POLICY: "delete"})
    wait_until(lambda: not [p for p in health.job_health(jcfg).problems if f"topic {topic} has" in p], 30,
               "status quiet about the topic once its settings are back")
