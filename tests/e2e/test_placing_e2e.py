"""Where PostgreSQL places each message (sql/postgres/003_ingest.sql), against a model in Python.

The job's sinks insert every message into two views as plain multi-row INSERTs, as the writer
role; the views' triggers place each statement's rows. These tests write to the views exactly
so (several sessions, statements of 1..300 rows, autocommit or several statements to a
transaction, replays, skip flips) and compare the three tables with an independent model (the one
placement model, tests/oracle.py's Placement, which the chaos test shares):

    the first committed classification of each Kafka position stands (good or dead letter);
    per uuid, processed_events holds the good message greatest by
        (kafka_ts_ms, kafka_partition, kafka_offset, kafka_topic),
    every other good message is in superseded_events (with its kafka_ts_ms);
    a dead letter keeps the first 65536 bytes of its payload and the full size (NULL -> NULL);
    a replay changes no byte of any row (flink_ts_ms, postgres_timestamp, superseded_at, ...);
    another message at a placed position (another fingerprint) is refused, its transaction fails;
    a write without a fingerprint is refused whatever its position (the job always sends one).

Only PostgreSQL of the test stack runs (the `database` fixture). Every example writes topics of
its own (place-<hex>-a, place-<hex>-b: two, so the topic tie-breaker matters too) and uuids of
its own, reads back only its own rows, and deletes them at the end.
"""
from __future__ import annotations

import random
import threading
import uuid as uuidlib
from collections import defaultdict
from dataclasses import dataclass, field

import psycopg2
import psycopg2.errors
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, \
    run_state_machine_as_test
from psycopg2.extras import execute_values

from tests.helpers import delete_rows, fuzz_examples
from tests.oracle import Placed, Placement, fingerprint
from flinkfast.clients import pg_connect

pytestmark = pytest.mark.e2e

CAP = 65_536                                   # bytes of a dead letter's payload kept
BASE_TS = 1_700_000_000_000
TIMESTAMPS = (BASE_TS, BASE_TS + 1, BASE_TS + 1_000)   # few, so ties on kafka_ts_ms are common
PARTITIONS = 4
PAYLOAD_SIZES = (None, 0, 1, 17, 300, 65_535, CAP, CAP + 1, 100_000)
SINK_ROWS = 128                                # the real sink's sink.buffer-flush.max-rows
RETRYABLE = (psycopg2.errors.DeadlockDetected, psycopg2.errors.SerializationFailure)
MAX_RETRIES = 50

GOOD_SQL = ("INSERT INTO processed_events_in (uuid, first_name, last_name, country, age, birth_year, "
            "kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms, fingerprint) VALUES %s")
DEAD_SQL = ("INSERT INTO dead_letter_events_in (kafka_topic, kafka_partition, kafka_offset, reason, payload, "
            "kafka_ts_ms, flink_ts_ms, fingerprint) VALUES %s")
OTHER_MESSAGE = "holds another message than the one placed there: the topic was re-created or rewound"
NO_FINGERPRINT = "a message without a fingerprint at"



# ----------------------------------------------------------------------------- messages and writes

def payload_of(size: int | None, seed: int) -> bytes | None:
    """`size` bytes, not UTF-8 (every byte value, NUL included), different per seed."""
    if size is None:
        return None
    block = bytes((seed + i) % 256 for i in range(256))
    return (block * (size // 256 + 1))[:size]


@dataclass(frozen=True)
class Message:
    """One Kafka record, with both forms the job could give it: a row (good) or a dead letter."""
    topic: str
    partition: int
    offset: int
    kafka_ts_ms: int
    uuid: str
    first_name: str
    last_name: str
    country: str
    age: int
    birth_year: int
    good: bool                      # how the job classifies it normally
    payload: bytes | None = field(repr=False)

    @property
    def pos(self) -> tuple[str, int, int]:
        return (self.topic, self.partition, self.offset)

    @property
    def order(self) -> tuple:       # the winner rule of 003_ingest.sql
        return (self.kafka_ts_ms, self.partition, self.offset, self.topic)

    @property
    def fingerprint(self) -> int:   # what the message is: its content stands for the record's value
        content = repr((self.uuid, self.first_name, self.last_name, self.country, self.age)).encode()
        return fingerprint(content + (self.payload or b""), self.kafka_ts_ms)

    def __repr__(self):
        size = None if self.payload is None else len(self.payload)
        return (f"Message({self.topic[-1]}:{self.partition}:{self.offset} ts=+{self.kafka_ts_ms - BASE_TS} "
                f"uuid=..{self.uuid[-4:]} {'good' if self.good else f'bad payload={size}'})")


@dataclass(frozen=True)
class Write:
    """One message as one sink writes it once: in one form, at one Flink time, with one reason."""
    msg: Message
    good: bool
    flink_ts_ms: int
    reason: str
    known: bool = True              # False: written without a fingerprint (the writer's password): refused

    @property
    def fingerprint(self) -> int | None:
        return self.msg.fingerprint if self.known else None

    def row(self) -> tuple:
        m = self.msg
        if self.good:
            return (m.uuid, m.first_name, m.last_name, m.country, m.age, m.birth_year,
                    m.topic, m.partition, m.offset, m.kafka_ts_ms, self.flink_ts_ms, self.fingerprint)
        payload = None if m.payload is None else psycopg2.Binary(m.payload)
        return (m.topic, m.partition, m.offset, self.reason, payload, m.kafka_ts_ms, self.flink_ts_ms, self.fingerprint)

    def __repr__(self):
        return f"Write({self.msg!r} as {'good' if self.good else 'dead'} flink=+{self.flink_ts_ms - BASE_TS})"


# A statement: (good?, [Write]); a transaction: (autocommit?, [statement]).

def plan(writes: list[Write], rnd: random.Random, max_rows: int = 300) -> list[tuple[bool, list]]:
    """The writes as the sinks could send them: each form's writes in random order, cut into
    INSERTs of random sizes (1..max_rows), the INSERTs in random order, then either one
    transaction each (autocommit) or a few to a transaction."""
    statements = []
    for good in (True, False):
        rows = [w for w in writes if w.good == good]
        rnd.shuffle(rows)
        while rows:
            pick = rnd.random()
            size = rnd.randint(1, 4) if pick < 0.5 else SINK_ROWS if pick < 0.7 else rnd.randint(1, max_rows)
            statements.append((good, rows[:size]))
            rows = rows[size:]
    rnd.shuffle(statements)
    if rnd.random() < 0.4:
        return [(True, [s]) for s in statements]
    txns = []
    while statements:
        n = rnd.randint(1, 4)
        txns.append((False, statements[:n]))
        statements = statements[n:]
    return txns


def execute(conn, txns, stats: dict) -> list[Write]:
    """Run the transactions on one writer connection; a deadlock or serialization failure is
    retried whole, as the Flink JDBC sink retries its batch. The writes committed, in order."""
    done: list[Write] = []
    for autocommit, statements in txns:
        for attempt in range(MAX_RETRIES + 1):
            try:
                conn.autocommit = autocommit
                with conn.cursor() as cur:
                    for good, writes in statements:
                        execute_values(cur, GOOD_SQL if good else DEAD_SQL, [w.row() for w in writes],
                                       page_size=len(writes))
                if not autocommit:
                    conn.commit()
                break
            except RETRYABLE:
                if not autocommit:
                    conn.rollback()
                stats["retries"] += 1
                if attempt == MAX_RETRIES:
                    raise
        done.extend(w for _, writes in statements for w in writes)
    return done


def concurrently(conns, plans, stats: dict) -> list[list[Write]]:
    """Each plan on its own connection, all at once (started together); the writes each committed."""
    barrier = threading.Barrier(len(plans))
    results, errors = [[] for _ in plans], []

    def work(i):
        try:
            barrier.wait(timeout=30)
            results[i] = execute(conns[i], plans[i], stats)
        except BaseException as e:   # noqa: BLE001 -- raised again below, on the test's thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(plans))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer session hung"
    if errors:
        raise errors[0]
    return results


# ----------------------------------------------------------------------------- the oracle

def commit(model: Placement, writes: list[Write]) -> None:
    """Committed writes, in commit order, into the one placement model (tests/oracle.py): the
    first write of a position decides its table, in the form it was written."""
    for w in writes:
        model.place(Placed(w.msg.pos, w.msg.kafka_ts_ms, w.msg.uuid if w.good else None, w, w.fingerprint))


def expected(model: Placement) -> tuple[dict, dict, dict]:
    """The model's placement as the columns this test compares, per table."""
    winners, superseded, dead = model.expected()
    processed = {}
    for u, win in winners.items():
        m = win.what.msg
        processed[u] = (m.first_name, m.last_name, m.country, m.age, m.birth_year,
                        m.topic, m.partition, m.offset, m.kafka_ts_ms, win.what.flink_ts_ms, win.fingerprint)
    letters = {}
    for pos, d in dead.items():
        w, m = d.what, d.what.msg
        size = None if m.payload is None else len(m.payload)
        payload = None if m.payload is None else m.payload[:CAP]
        letters[pos] = (w.reason, payload, size, m.kafka_ts_ms, w.flink_ts_ms, d.fingerprint)
    return processed, {pos: (p.uuid, p.kafka_ts_ms, p.fingerprint) for pos, p in superseded.items()}, letters


# ----------------------------------------------------------------------------- reading back

def _plain(v):
    return bytes(v) if isinstance(v, memoryview) else v


def snapshot(conn, topics: list[str]) -> dict[str, dict]:
    """Every column of every row of these topics, per table (keyed by uuid or position)."""
    out = {}
    with conn.cursor() as cur:
        for table, key in (("processed_events", ("uuid",)),
                           ("superseded_events", ("kafka_topic", "kafka_partition", "kafka_offset")),
                           ("dead_letter_events", ("kafka_topic", "kafka_partition", "kafka_offset"))):
            cur.execute(f"SELECT * FROM {table} WHERE kafka_topic = ANY(%s)", (topics,))
            names = [d.name for d in cur.description]
            rows = {}
            for r in cur.fetchall():
                row = {n: _plain(v) for n, v in zip(names, r)}
                k = tuple(row[c] for c in key)
                rows[k[0] if len(k) == 1 else k] = row
            out[table] = rows
    return out


def project(snap) -> tuple[dict, dict, dict]:
    """A snapshot in the model's terms."""
    processed = {u: (r["first_name"], r["last_name"], r["country"], r["age"], r["birth_year"],
                     r["kafka_topic"], r["kafka_partition"], r["kafka_offset"], r["kafka_ts_ms"], r["flink_ts_ms"],
                     r["fingerprint"])
                 for u, r in snap["processed_events"].items()}
    superseded = {p: (r["uuid"], r["kafka_ts_ms"], r["fingerprint"]) for p, r in snap["superseded_events"].items()}
    dead = {p: (r["reason"], r["payload"], r["payload_size"], r["kafka_ts_ms"], r["flink_ts_ms"], r["fingerprint"])
            for p, r in snap["dead_letter_events"].items()}
    return processed, superseded, dead


def diff(name: str, want: dict, got: dict) -> list[tuple]:
    def short(v):
        return tuple((f"<{len(x)} bytes>" if isinstance(x, bytes) else x) for x in v) if isinstance(v, tuple) else v
    out = []
    for k in sorted(set(want) | set(got), key=repr):
        if want.get(k) != got.get(k):
            out.append((k, f"  {name}[{k}]: expected {short(want.get(k))}, found {short(got.get(k))}"))
    return out


def check(model: Placement, snap, history: dict) -> None:
    """The tables equal the model, and every written position is in exactly one table."""
    processed, superseded, dead = project(snap)
    places = defaultdict(list)
    for r in snap["processed_events"].values():
        places[(r["kafka_topic"], r["kafka_partition"], r["kafka_offset"])].append("processed_events")
    for p in superseded:
        places[p].append("superseded_events")
    for p in dead:
        places[p].append("dead_letter_events")
    wrong = {p for p in set(places) | set(model.first) if len(places.get(p, [])) != 1}
    problems = [f"  position {p} is in {', '.join(places.get(p, [])) or 'no table'}" for p in sorted(wrong, key=repr)]
    want = expected(model)
    for name, w, g in zip(("processed_events", "superseded_events", "dead_letter_events"), want,
                          (processed, superseded, dead)):
        for k, line in diff(name, w, g):
            problems.append(line)
            wrong |= ({p for p, ws in history.items() if ws[0].msg.uuid == k} if name == "processed_events" else {k})
    if problems:
        lines = [f"  {p}: " + "; ".join(map(repr, history.get(p, []))) for p in sorted(wrong, key=repr)]
        raise AssertionError("the tables differ from the model:\n" + "\n".join(problems[:40])
                             + "\nwrites of those positions, in commit order:\n" + "\n".join(lines[:60]))


def unchanged_since(before, after) -> list[str]:
    """Rows that must not have changed: a dead letter, a superseded position, a winner still winning."""
    out = []
    for table in ("dead_letter_events", "superseded_events"):
        for k, row in before[table].items():
            if after[table].get(k) != row:
                out.append(f"  {table}[{k}] changed: {row} -> {after[table].get(k)}")
    for u, row in before["processed_events"].items():
        now = after["processed_events"].get(u)
        same_winner = now and all(now[c] == row[c] for c in ("kafka_topic", "kafka_partition", "kafka_offset"))
        if now is None or (same_winner and now != row):
            out.append(f"  processed_events[{u}] changed: {row} -> {now}")
    return out


def db_clock(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT clock_timestamp()")
        return cur.fetchone()[0]


def placed_between(before, after, since, now) -> list[str]:
    """Rows new since `before` (a new dead letter, a new superseded position, a uuid's first
    winner or a new one) carry the database's time of this step: after `since`, before `now`."""
    out = []
    for table, column in (("dead_letter_events", "postgres_timestamp"), ("superseded_events", "superseded_at"),
                          ("processed_events", "postgres_timestamp")):
        for k, row in after[table].items():
            old = before[table].get(k)
            if old is not None and (table != "processed_events" or all(
                    old[c] == row[c] for c in ("kafka_topic", "kafka_partition", "kafka_offset"))):
                continue
            if not since < row[column] <= now:
                out.append(f"  {table}[{k}].{column} = {row[column]}, not between {since} and {now}")
    return out


# ----------------------------------------------------------------------------- the state machine

_ENV: dict = {}          # cfg, set by the test below (a state machine takes no fixtures)
STATS = {"retries": 0, "examples": 0, "steps": 0, "rows": 0}

names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6)


NEW_MESSAGES = st.lists(st.tuples(
    st.integers(0, 9),                               # topic b once in ten
    st.integers(0, PARTITIONS - 1),
    st.integers(1, 3),                               # offset gap
    st.sampled_from(TIMESTAMPS),
    st.integers(0, 6),                               # uuid: one of the pool, 5: a fresh one, 6: a twin
    st.tuples(names, names, names, st.integers(0, 120)),
    st.integers(0, 3),                               # bad once in four
    st.sampled_from(PAYLOAD_SIZES),
    st.integers(0, 255)), max_size=8)
BURSTS = st.sampled_from([0, 0, 0, 0, 40, 150, 350, 700])


class Placing(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        cfg = _ENV["cfg"]
        tag = uuidlib.uuid4().hex[:8]
        self.prefix = f"place-{tag}"
        self.topics = [f"{self.prefix}-a", f"{self.prefix}-b"]
        self.uuids = [f"{self.prefix}-u{i}" for i in range(5)]   # a small pool: collisions are frequent
        self.fresh = 0
        self.offsets: dict[tuple, int] = defaultdict(int)
        self.log: list[Message] = []
        self.model = Placement()
        self.clock = BASE_TS + 10_000_000          # flink_ts_ms: a new value for every write
        self.history: dict[tuple, list[Write]] = defaultdict(list)
        self.writers = [pg_connect(cfg, "writer"), pg_connect(cfg, "writer")]
        self.reader = pg_connect(cfg, "reader")
        self.reader.autocommit = True
        self.before = snapshot(self.reader, self.topics)
        self.since = db_clock(self.reader)
        STATS["examples"] += 1

    def teardown(self):
        for c in (*self.writers, self.reader):
            c.close()
        delete_rows(_ENV["cfg"], self.topics)

    # -- helpers

    def new_uuid(self) -> str:
        self.fresh += 1
        return f"{self.prefix}-n{self.fresh}"

    def add(self, topic, partition, gap, ts, u, first, last, country, age, good, size, seed) -> None:
        key = (topic, partition)
        self.offsets[key] += gap
        self.log.append(Message(topic, partition, self.offsets[key], ts, u, first, last, country, age,
                                2024 - age, good, payload_of(size, seed)))

    def twin(self) -> bool:
        """A message on topic b at the partition, offset and Kafka timestamp of a topic-a message
        that wins its uuid now: equal but for the topic, so only the topic breaks the tie (and
        it arrives later). False where no such message can be made."""
        best: dict[str, Message] = {}
        for m in self.log:
            if m.good and (m.uuid not in best or m.order > best[m.uuid].order):
                best[m.uuid] = m
        for m in reversed(self.log):
            slot = (self.topics[1], m.partition)
            if m.topic == self.topics[0] and best.get(m.uuid) is m and self.offsets[slot] < m.offset:
                self.offsets[slot] = m.offset
                self.log.append(Message(self.topics[1], m.partition, m.offset, m.kafka_ts_ms, m.uuid, "twin",
                                        m.last_name, m.country, m.age, m.birth_year, True, m.payload))
                return True
        return False

    def write(self, m: Message, good: bool | None = None, known: bool = True) -> Write:
        self.clock += 1
        good = m.good if good is None else good
        return Write(m, good, self.clock, f"reason {self.clock % 7}" if not good else "", known)

    def unwritten(self) -> list[Message]:
        return [m for m in self.log if m.pos not in self.model.first]

    def written(self) -> list[Message]:
        return [m for m in self.log if m.pos in self.model.first]

    def run(self, conn, txns) -> None:
        done = execute(conn, txns, STATS)
        for w in done:
            self.history[w.msg.pos].append(w)
        commit(self.model, done)
        STATS["rows"] += len(done)

    # -- rules

    @initialize(msgs=st.lists(st.tuples(st.booleans(), st.integers(0, PARTITIONS - 1)), min_size=1, max_size=3))
    def first_messages(self, msgs):
        for b, p in msgs:
            self.add(self.topics[b], p, 1, TIMESTAMPS[0], self.uuids[0], "A", "B", "C", 30, True, None, 0)

    def produce(self, specs, burst: int, seed: int) -> None:
        """New messages into the log: the drawn ones, then a burst of `burst` more from a seed
        (enough for statements of the sink's size and more)."""
        for t, p, gap, ts, u, (first, last, country, age), bad, size, pseed in specs:
            if u == 6 and self.twin():
                continue
            self.add(self.topics[t == 0], p, gap, ts, self.new_uuid() if u >= 5 else self.uuids[u],
                     first, last, country, age, bad != 0, size, pseed)
        rnd = random.Random(seed)
        pool = self.uuids + [f"{self.prefix}-m{i}" for i in range(40)]
        for _ in range(burst):
            size = rnd.choice(PAYLOAD_SIZES[:5]) if rnd.random() < 0.97 else rnd.choice(PAYLOAD_SIZES)
            self.add(self.topics[rnd.random() < 0.1], rnd.randrange(PARTITIONS), rnd.randint(1, 2),
                     rnd.choice(TIMESTAMPS), self.new_uuid() if rnd.random() < 0.3 else rnd.choice(pool),
                     f"F{rnd.randrange(99)}", "L", "XX", rnd.randint(0, 120), rnd.random() < 0.85, size,
                     rnd.randrange(256))

    @rule(specs=NEW_MESSAGES, burst=BURSTS, seed=st.integers(0, 2 ** 32 - 1),
          rnd=st.randoms(use_true_random=False), new=st.floats(0, 1), replay=st.floats(0, 0.5),
          dup=st.sampled_from([0, 0, 0.1, 0.5]), flip=st.sampled_from([0, 0, 0, 0.05, 0.3]), which=st.integers(0, 1))
    def write_batch(self, specs, burst, seed, rnd, new, replay, dup, flip, which):
        """New messages, then a batch of some of the log: new ones, replays, the same message
        twice, one uuid many times; now and then a message in the other form (a skip flip, even
        of one never written: its first write decides)."""
        self.produce(specs, burst, seed)
        writes = [self.write(m, m.good if rnd.random() >= flip else not m.good)
                  for m in self.unwritten() if rnd.random() < new]
        writes += [self.write(m, m.good if rnd.random() >= flip else not m.good)
                   for m in self.written() if rnd.random() < replay]
        writes += [w for w in writes if rnd.random() < dup]          # twice in one batch, same write
        if not writes:
            writes = [self.write(rnd.choice(self.log))]
        self.run(self.writers[which], plan(writes, rnd))

    @rule(specs=NEW_MESSAGES, burst=BURSTS, seed=st.integers(0, 2 ** 32 - 1),
          rnd=st.randoms(use_true_random=False), replay=st.floats(0, 0.6), flip=st.sampled_from([0, 0.2]))
    def write_concurrently(self, specs, burst, seed, rnd, replay, flip):
        """New messages, then two sessions at once, like the sink's subtasks, with overlapping
        uuids and positions. A message not written yet goes in its own form in both (which
        session is first is chance); one written already may come in either form."""
        self.produce(specs, burst, seed)
        shared = [self.write(m) for m in self.unwritten()]
        shared += [self.write(m, m.good if rnd.random() >= flip else not m.good)
                   for m in self.written() if rnd.random() < replay]
        if not shared:
            return
        halves = [[], []]
        for w in shared:
            r = rnd.random()
            for i in ((0,) if r < 0.35 else (1,) if r < 0.7 else (0, 1)):   # both: the same write twice
                halves[i].append(w)
        results = concurrently(self.writers, [plan(h, rnd) for h in halves], STATS)
        for done in results:   # what was new was written in one form with one flink_ts_ms: order is moot
            for w in done:
                self.history[w.msg.pos].append(w)
            commit(self.model, done)
            STATS["rows"] += len(done)

    @precondition(lambda self: self.model.first)
    @rule(rnd=st.randoms(use_true_random=False), share=st.floats(0.05, 1))
    def skip_flip(self, rnd, share):
        """Written positions again in the other form (another SKIP_MESSAGES, MAX_EVENT_CHARS):
        the first classification stands, and no byte of any table changes."""
        placed = [p.what.msg for p in self.model.first.values()]
        chosen = [m for m in placed if rnd.random() < share] or [rnd.choice(placed)]
        writes = [self.write(m, not self.model.first[m.pos].what.good) for m in chosen]
        before = snapshot(self.reader, self.topics)
        self.run(self.writers[rnd.randrange(2)], plan(writes, rnd))
        after = snapshot(self.reader, self.topics)
        assert after == before, "a skip flip changed the tables:\n" + "\n".join(unchanged_since(before, after))

    @precondition(lambda self: self.model.first)
    @rule(rnd=st.randoms(use_true_random=False), share=st.floats(0.05, 1), fresh=st.booleans(),
          new=st.floats(0, 1), which=st.integers(0, 1), known=st.booleans())
    def forge(self, rnd, share, fresh, new, which, known):
        """Another message at a position placed already (what a re-created or rewound topic sends, or
        the writer's password): another uuid (one of the pool or a fresh one), in either form, with any
        Kafka timestamp. With its fingerprint (known), it is never taken for a replay: each statement
        that carries one fails on the placing's line, and changes nothing. Without one, the intake
        refuses it on its own line (before: it was "unknown, not checked", and a forged row at a
        position not read yet made the real message there a replay, dropped silently). Then the
        messages not written yet, in one plan: no position is in two tables."""
        placed = [p.what for p in self.model.first.values()]
        chosen = [w for w in placed if rnd.random() < share] or [rnd.choice(placed)]
        writes = []
        for first in chosen:
            m = first.msg
            u = self.new_uuid() if fresh else rnd.choice([u for u in self.uuids if u != m.uuid])
            forged = Message(m.topic, m.partition, m.offset, rnd.choice(TIMESTAMPS) + rnd.randint(0, 5_000), u,
                             "forged", m.last_name, m.country, m.age, m.birth_year, True, m.payload)
            writes.append(self.write(forged, rnd.random() < 0.8, known=known))
        fresh_writes = [self.write(m) for m in self.unwritten() if rnd.random() < new]
        before = snapshot(self.reader, self.topics)
        for w in writes:
            if known:
                assert self.model.refuses(Placed(w.msg.pos, w.msg.kafka_ts_ms, None, w, w.fingerprint))
            with pytest.raises(psycopg2.errors.UniqueViolation if known else psycopg2.errors.NotNullViolation,
                               match=OTHER_MESSAGE if known else NO_FINGERPRINT):
                execute(self.writers[which], [(True, [(w.good, [w])])], STATS)
        assert snapshot(self.reader, self.topics) == before, "a refused message changed the tables"
        self.run(self.writers[which], plan(fresh_writes, rnd))

    @precondition(lambda self: self.model.first)
    @rule(rnd=st.randoms(use_true_random=False), both=st.booleans())
    def replay_everything(self, rnd, both):
        """Everything written so far once more, in a new order and batching, in one session or
        two at once: the three tables stay byte for byte as they were."""
        writes = [self.write(p.what.msg, p.what.good) for p in self.model.first.values()]
        before = snapshot(self.reader, self.topics)
        if both:
            halves = [[], []]
            for w in writes:
                halves[rnd.randrange(2)].append(w)
            concurrently(self.writers, [plan(h, rnd) for h in halves], STATS)
        else:
            execute(self.writers[rnd.randrange(2)], plan(writes, rnd), STATS)
        STATS["rows"] += len(writes)
        after = snapshot(self.reader, self.topics)
        assert after == before, "a replay changed the tables:\n" + "\n".join(unchanged_since(before, after))

    @invariant()
    def tables_equal_the_model(self):
        STATS["steps"] += 1
        snap = snapshot(self.reader, self.topics)
        check(self.model, snap, self.history)
        changed = unchanged_since(self.before, snap)
        assert not changed, "rows placed before changed:\n" + "\n".join(changed)
        now = db_clock(self.reader)
        stale = placed_between(self.before, snap, self.since, now)
        assert not stale, "rows placed in this step carry another time:\n" + "\n".join(stale)
        self.before, self.since = snap, now


def test_every_position_is_placed_as_the_model_says(database, cfg):
    _ENV["cfg"] = cfg
    run_state_machine_as_test(Placing, settings=settings(max_examples=fuzz_examples(25), stateful_step_count=20))
    print(f"\n{STATS['examples']} examples, {STATS['steps']} checks, {STATS['rows']} rows written, "
          f"{STATS['retries']} deadlock/serialization retries")


# ----------------------------------------------------------------------------- the rules by example

@pytest.fixture
def place(database, cfg):
    """Topics of this test, a writer, a reader; the rows deleted afterwards."""
    tag = uuidlib.uuid4().hex[:8]
    topics = [f"place-{tag}-a", f"place-{tag}-b"]
    conns = {"writer": pg_connect(cfg, "writer"), "reader": pg_connect(cfg, "reader")}
    for c in conns.values():
        c.autocommit = True

    class Place:
        a, b = topics
        writer, reader = conns["writer"], conns["reader"]

        @staticmethod
        def msg(topic, partition, offset, ts, u="u", good=True, payload=None):
            return Message(topic, partition, offset, BASE_TS + ts, f"place-{tag}-{u}", "Ann", "Lee", "NZ", 40, 1984,
                           good, payload)

        @staticmethod
        def insert(*writes, conn=None):
            """One INSERT per form, in one transaction."""
            execute(conn or conns["writer"],
                    [(False, [(g, [w for w in writes if w.good == g]) for g in (False, True)
                             if any(w.good == g for w in writes)])], {"retries": 0})

        @staticmethod
        def tables():
            return snapshot(conns["reader"], topics)

    yield Place
    for c in conns.values():
        c.close()
    delete_rows(cfg, topics)


def good(m, flink=1):
    return Write(m, True, BASE_TS + 5_000 + flink, "")


def dead(m, flink=1, reason="not JSON"):
    return Write(m, False, BASE_TS + 5_000 + flink, reason)


def test_one_uuid_twice_in_one_statement_places_both_positions_and_the_greater_wins(place):
    p0 = place.msg(place.a, 0, 7, ts=1_000)
    p2 = place.msg(place.a, 2, 3, ts=0)        # greater partition, smaller Kafka timestamp
    place.insert(good(p2), good(p0))
    t = place.tables()
    assert {u: (r["kafka_partition"], r["kafka_offset"]) for u, r in t["processed_events"].items()} == {p0.uuid: (0, 7)}
    assert {p: (r["uuid"], r["kafka_ts_ms"]) for p, r in t["superseded_events"].items()} == {
        p2.pos: (p2.uuid, p2.kafka_ts_ms)}
    assert t["dead_letter_events"] == {}


def test_a_later_message_with_a_smaller_kafka_timestamp_loses_and_the_winner_row_is_untouched(place):
    early = place.msg(place.a, 1, 5, ts=1_000)
    late = place.msg(place.a, 1, 9, ts=0)      # arrives later, later offset, earlier record timestamp
    place.insert(good(early, flink=1))
    before = place.tables()["processed_events"]
    place.insert(good(late, flink=2))
    place.insert(good(early, flink=3))         # and a replay of the winner
    t = place.tables()
    assert t["processed_events"] == before     # flink_ts_ms, postgres_timestamp and all
    assert {p: r["kafka_ts_ms"] for p, r in t["superseded_events"].items()} == {late.pos: late.kafka_ts_ms}


def test_a_tie_on_the_kafka_timestamp_is_broken_by_partition_then_offset_then_topic(place):
    ms = [place.msg(place.a, 1, 10, ts=0), place.msg(place.a, 3, 2, ts=0), place.msg(place.a, 3, 7, ts=0),
          place.msg(place.a, 2, 99, ts=0)]
    place.insert(good(ms[2]))                  # the winner first: the others must not replace it
    place.insert(good(ms[0]), good(ms[1]))
    place.insert(good(ms[3]))
    t = place.tables()
    (row,) = t["processed_events"].values()
    assert (row["kafka_partition"], row["kafka_offset"]) == (3, 7)
    assert set(t["superseded_events"]) == {ms[0].pos, ms[1].pos, ms[3].pos}
    # the same partition, offset and timestamp on two topics: the greater topic name wins
    other_a, other_b = place.msg(place.a, 0, 1, ts=0, u="v"), place.msg(place.b, 0, 1, ts=0, u="v")
    place.insert(good(other_b), good(other_a))
    t = place.tables()
    assert t["processed_events"][other_a.uuid]["kafka_topic"] == place.b
    assert set(t["superseded_events"]) == {ms[0].pos, ms[1].pos, ms[3].pos, other_a.pos}


def test_a_dead_letter_keeps_its_first_64_kib_and_full_size_through_replays_and_flips(place):
    big = place.msg(place.a, 0, 1, ts=0, good=False, payload=payload_of(100_000, 3))
    none = place.msg(place.a, 0, 2, ts=0, good=False, payload=None)
    place.insert(dead(big), dead(none))
    before = place.tables()
    assert {p: (r["payload_size"], r["payload"]) for p, r in before["dead_letter_events"].items()} == {
        big.pos: (100_000, big.payload[:CAP]), none.pos: (None, None)}
    place.insert(dead(big, flink=2, reason="other"), dead(none, flink=2))             # a replay
    place.insert(good(big, flink=3), good(none, flink=3))                             # a skip flip
    assert place.tables() == before


@pytest.mark.parametrize("first", ["dead letter", "winner", "superseded"])
def test_one_position_written_in_both_forms_by_two_sessions_at_once_ends_in_one_table(place, cfg, first):
    """Two sessions place one position at the same time, one as a dead letter and one as a good
    event: a job resubmitted with another SKIP_MESSAGES (or MAX_EVENT_CHARS) while a statement
    of the job before it still runs, or two jobs on one topic. Session 1 has placed it (as a
    dead letter, as its uuid's winner, or as a loser to an older winner) and not committed yet;
    session 2 writes the other form. Whichever commits first may decide; the position must
    not end in two tables."""
    m = place.msg(place.a, 1, 5, ts=0)
    if first == "superseded":                                  # a winner already there: m loses to it
        place.insert(good(place.msg(place.a, 3, 1, ts=1_000), flink=0))
    one = pg_connect(cfg, "writer")
    try:
        one.autocommit = False
        with one.cursor() as cur:                             # session 1: placed, not committed
            w = dead(m) if first == "dead letter" else good(m)
            execute_values(cur, GOOD_SQL if w.good else DEAD_SQL, [w.row()])
        other = good(m, flink=2) if first == "dead letter" else dead(m, flink=2)
        two = threading.Thread(target=place.insert, args=(other,))   # session 2: the other form
        two.start()
        two.join(timeout=3)       # done, or waiting for session 1 (which would be right): commit now
        one.commit()
        two.join(timeout=30)
        assert not two.is_alive(), "session 2 still waits after session 1 committed"
    finally:
        one.close()
    t = place.tables()
    places = [name for name, rows in t.items()
              if any((r["kafka_topic"], r["kafka_partition"], r["kafka_offset"]) == m.pos for r in rows.values())]
    assert len(places) == 1, f"position {m.pos}, placed first as {first} by an open transaction, is in {places}"


ROUNDS, ROWS = 600, 2


def test_two_sessions_placing_the_same_messages_at_once_both_succeed(place, cfg):
    """A zombie attempt and its replacement (or two replays) write the same messages at the same
    moment. Each statement must either place them or find them placed: never fail. (Before: with
    the partitions' locks shared, both sessions passed ON CONFLICT (uuid)'s check before either had
    inserted, and the second then hit the position's key: a UniqueViolation CI drew once.) The
    race is narrow (the first row both write), so many small rounds."""
    writers = [pg_connect(cfg, "writer") for _ in range(2)]
    try:
        for round_ in range(ROUNDS):
            ms = [place.msg(place.a, i % PARTITIONS, 10 * round_ + i, ts=0, u=f"r{round_}-{i}") for i in range(ROWS)]
            same = [(True, [(True, [good(m) for m in ms])])]
            concurrently(writers, [same, same], {"retries": 0})
    finally:
        for w in writers:
            w.close()
    t = place.tables()
    assert len(t["processed_events"]) == ROUNDS * ROWS and not t["superseded_events"] and not t["dead_letter_events"]


def test_the_benchmarks_naive_consumer_takes_a_uuid_twice_in_one_batch(database, cfg):
    """The benchmark's plain Python consumer used to upsert with ON CONFLICT DO UPDATE and crashed
    on a uuid repeated within one batch ("cannot affect row a second time"). It writes through
    the intake view now (sql/bench/003_naive_insert.sql), as the writer, like the pipeline."""
    from flinkfast.bench.drain import bench_sql
    topic = f"naive-{uuidlib.uuid4().hex[:8]}"
    rows = [("same", "First", "L", "C", 30, 1996, topic, 0, 0, 1_700_000_000_000, 1, 10),   # with its fingerprint,
            ("same", "Second", "L", "C", 30, 1996, topic, 1, 0, 1_700_000_000_001, 1, 11),  # as drain_naive writes it
            ("other", "Third", "L", "C", 30, 1996, topic, 0, 1, 1_700_000_000_000, 1, 12)]
    with pg_connect(cfg, "writer") as conn, conn.cursor() as cur:
        execute_values(cur, bench_sql("003_naive_insert.sql"), rows, page_size=len(rows))
    try:
        with pg_connect(cfg) as conn, conn.cursor() as cur:
            cur.execute("SELECT uuid, first_name FROM processed_events WHERE kafka_topic = %s ORDER BY uuid", (topic,))
            assert cur.fetchall() == [("other", "Third"), ("same", "Second")]
            cur.execute("SELECT kafka_partition, kafka_offset FROM superseded_events WHERE kafka_topic = %s", (topic,))
            assert cur.fetchall() == [(0, 0)]
    finally:
        delete_rows(cfg, [topic])
