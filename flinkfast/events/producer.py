"""Events for the pipeline: from the RandomUser API or an offline generator, into Kafka.

An event is the five fields the job reads, as compact UTF-8 JSON keyed by the uuid:

    {"uuid": "...", "first_name": "...", "last_name": "...", "country": "...", "age": 42}

The API is the realistic source but is slow, rate-limited and sometimes down; the generator
makes events of the same shape (with the same mix of scripts and accents) fast and
reproducibly, which is what tests and the benchmark need.

An event counts as sent only once Kafka acknowledged it (acks=all, idempotent producer), so
a summary never claims more than the topic holds. Every wait has a bound: an unreachable
broker or a missing topic is a clear error after at most KAFKA_TIMEOUT_S, never a hang.
"""
from __future__ import annotations

import json
import random
import sys
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from flinkfast.errors import Unavailable, one_line as _one_line
# The API client lives in flinkfast.events.randomuser; its names stay importable from here.
from flinkfast.events.randomuser import MAX_PER_REQUEST, fetch_api_users, map_api_user

__all__ = ["MAX_PER_REQUEST", "KAFKA_TIMEOUT_S", "fetch_api_users", "map_api_user", "generate_events",
           "ProduceSummary", "Interrupted", "connect", "produce"]
KAFKA_TIMEOUT_S = 10  # bound on connecting to Kafka and on finding the topic (said in --help)
_DELIVERY_TIMEOUT_MS = 30_000  # bound on an in-flight record, so the final flush cannot hang


# ----------------------------------------------------------------------------- the generator

# (country as the API spells it, first names, last names) per nationality the API offers.
_NATIONALITIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Australia", ("Jack", "Olivia", "Noah", "Charlotte", "William", "Mia", "Lachlan", "Chloe", "Oliver", "Isla"),
     ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Kelly", "Martin", "Walker")),
    ("Brazil", ("João", "Luíza", "Caio", "Antônia", "Thiago", "Lívia", "Heitor", "Vitória", "Iara", "Ágata"),
     ("Silva", "Santos", "Oliveira", "Souza", "Araújo", "Conceição", "Gonçalves", "Ribeiro", "Lopes", "Fernandes")),
    ("Canada", ("Liam", "Émile", "Chloé", "Noah", "Zoé", "Ethan", "Mathis", "Léa", "Owen", "Maëlle"),
     ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Martin", "Wilson", "Brown", "Lavoie", "Bélanger")),
    ("Switzerland", ("Luca", "Mia", "Noé", "Léonie", "Jonas", "Elin", "Matteo", "Anaïs", "Lars", "Séverine"),
     ("Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Favre", "Rochat", "Bernasconi", "Brunner")),
    ("Germany", ("Jürgen", "Lena", "Maximilian", "Jörg", "Sophie", "Lukas", "Käthe", "Björn", "Anna", "Günther"),
     ("Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Schäfer", "Köhler", "Krüger", "Böhm", "Wagner")),
    ("Denmark", ("Søren", "Freja", "Mikkel", "Ida", "Rasmus", "Signe", "Asbjørn", "Mathilde", "Emil", "Astrid"),
     ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
      "Møller")),
    ("Spain", ("Alejandro", "Lucía", "Iñigo", "María", "Martín", "Inés", "Sofía", "Álvaro", "Nuria", "Jesús"),
     ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Muñoz")),
    ("Finland", ("Väinö", "Aino", "Eetu", "Siiri", "Onni", "Elli", "Ilmari", "Venla", "Juho", "Helmi"),
     ("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Hämäläinen", "Koskinen", "Heikkinen", "Järvinen", "Lehtonen",
      "Lehtinen")),
    ("France", ("Léo", "Chloé", "Théo", "Zoé", "Mathéo", "Clémence", "Gaëtan", "Anaïs", "Hugo", "Océane"),
     ("Martin", "Bernard", "Dubois", "Thomas", "Lefèvre", "Mercier", "Girard", "Rousseau", "Fontaine", "Leroy")),
    ("United Kingdom", ("Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Alfie", "Poppy", "Charlie", "Freya"),
     ("Smith", "Jones", "Taylor", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes")),
    ("Ireland", ("Seán", "Aoife", "Cian", "Niamh", "Oisín", "Siobhán", "Darragh", "Saoirse", "Ciarán", "Róisín"),
     ("Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Connor", "McCarthy", "Doyle", "Ó Briain")),
    ("India", ("Aarav", "Ananya", "Vihaan", "Diya", "Arjun", "Saanvi", "Ishaan", "Kavya", "Rohan", "Meera"),
     ("Sharma", "Patel", "Reddy", "Iyer", "Nair", "Gupta", "Singh", "Kumar", "Das", "Chopra")),
    ("Iran", ("محمد", "زهرا", "علی", "فاطمه", "امیر", "مریم", "رضا", "نگار", "حسین", "سارا"),
     ("احمدی", "رضایی", "محمدی", "حسینی", "کریمی", "موسوی", "جعفری", "صادقی", "رحیمی", "کاظمی")),
    ("Mexico", ("Santiago", "Ximena", "Mateo", "Valentina", "Diego", "Regina", "Emiliano", "Renata", "José",
                "Guadalupe"),
     ("Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez", "Cruz")),
    ("Netherlands", ("Daan", "Sanne", "Sem", "Fenna", "Bram", "Noor", "Thijs", "Loïs", "Jeroen", "Anouk"),
     ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer")),
    ("Norway", ("Ole", "Ingrid", "Jørgen", "Sølvi", "Håkon", "Kari", "Ørjan", "Ragnhild", "Magnus", "Åse"),
     ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Ødegård",
      "Bråthen")),
    ("New Zealand", ("Nikau", "Aroha", "Liam", "Ruby", "Tama", "Mere", "Hunter", "Isla", "Wiremu", "Manaia"),
     ("Smith", "Wilson", "Ngata", "Williams", "Brown", "Taylor", "Parata", "Walker", "Thompson", "Campbell")),
    ("Serbia", ("Đorđe", "Milica", "Nikola", "Jovana", "Luka", "Teodora", "Stefan", "Ana", "Miloš", "Dragana"),
     ("Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić", "Stanković", "Pavlović",
      "Milošević")),
    ("Turkey", ("Çağan", "Elif", "Emre", "Zeynep", "Yiğit", "Şule", "Oğuz", "Gülşen", "Mert", "İrem"),
     ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Özdemir", "Arslan")),
    ("Ukraine", ("Олександр", "Оксана", "Андрій", "Наталія", "Богдан", "Ірина", "Тарас", "Софія", "Дмитро",
                 "Ярослава"),
     ("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Мельник", "Олійник", "Лисенко", "Петренко",
      "Гончаренко")),
    ("United States", ("James", "Emma", "Michael", "Olivia", "Ethan", "Ava", "Jacob", "Madison", "Tyler", "Harper"),
     ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia", "Rodriguez", "Wilson")),
)

MIN_AGE, MAX_AGE = 18, 99
# What uuid.UUID(int=n, version=4) does to n: RFC 4122 variant bits and version 4.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def generate_events(count: int | None, seed: int | None = None) -> Iterator[dict]:
    """`count` events like the API's (None: without end, for --duration runs).

    Everything comes from one random.Random(seed), so a seed gives the same events on every
    run and machine. Indexing with rng.random() instead of rng.choice/randint keeps it at
    a few microseconds an event: the benchmark generates a million.
    """
    rng = random.Random(seed)
    rand, bits = rng.random, rng.getrandbits
    nats, n_nats, n_ages = _NATIONALITIES, len(_NATIONALITIES), MAX_AGE - MIN_AGE + 1
    clear, set_ = _UUID4_CLEAR, _UUID4_SET
    produced = 0
    while count is None or produced < count:
        country, firsts, lasts = nats[int(rand() * n_nats)]
        h = f"{bits(128) & clear | set_:032x}"  # == str(uuid.UUID(int=..., version=4)), 4x faster
        yield {
            "uuid": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}",
            "first_name": firsts[int(rand() * len(firsts))],
            "last_name": lasts[int(rand() * len(lasts))],
            "country": country,
            "age": MIN_AGE + int(rand() * n_ages),
        }
        produced += 1


# ----------------------------------------------------------------------------- Kafka

@dataclass
class ProduceSummary:
    sent: int  # acknowledged by Kafka
    failed: int  # rejected by Kafka or by the client (e.g. timed out in flight)
    elapsed_s: float  # from the first send until the last acknowledgement
    uuids: list[str] = field(default_factory=list, repr=False)  # of the acknowledged events
    first_error: str | None = None

    @property
    def events_per_s(self) -> float:
        return self.sent / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def line(self) -> str:
        return (f"sent {self.sent:,}, failed {self.failed:,}, elapsed {self.elapsed_s:.2f} s, "
                f"{self.events_per_s:,.0f} events/s")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during produce(), after what was in flight was flushed: carries the summary so a
    caller can report it, and is still a KeyboardInterrupt for callers that only want to stop."""

    def __init__(self, summary: ProduceSummary):
        super().__init__("interrupted")
        self.summary = summary


def connect(cfg):
    """(producer, number of partitions of the topic), once the broker answered and the topic
    exists; else a clear error.

    kafka-python would otherwise block up to a minute on metadata and then fail with a
    generic timeout; here each step is bounded by KAFKA_TIMEOUT_S.
    """
    from kafka.errors import KafkaError

    from flinkfast.clients import kafka_admin, kafka_producer

    servers = cfg.kafka_bootstrap_servers
    topic = cfg.kafka_topic
    timeout_ms = KAFKA_TIMEOUT_S * 1000
    unreachable = (f"Kafka at {servers} is not reachable (no answer within {KAFKA_TIMEOUT_S} s); "
                   f"is the local stack running? `make up` starts it")
    try:
        producer = kafka_producer(
            cfg, enable_idempotence=True,  # counted as sent = on all in-sync replicas, once
            linger_ms=10, batch_size=128 * 1024,  # batches of ~1000 events: throughput, little latency
            bootstrap_timeout_ms=timeout_ms, max_block_ms=timeout_ms,
            request_timeout_ms=timeout_ms, delivery_timeout_ms=_DELIVERY_TIMEOUT_MS,
            allow_auto_create_topics=False)
    except (KafkaError, OSError, ValueError) as e:
        raise Unavailable(f"{unreachable} [{_one_line(e, 120)}]") from None
    try:
        admin = kafka_admin(cfg, role="producer", request_timeout_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms)
        try:
            topics = admin.list_topics()
        finally:
            admin.close()
        if topic not in topics:
            raise Unavailable(f"topic {topic} does not exist on Kafka at {servers}; run `make up` (it creates "
                              f"the topic) or set KAFKA_TOPIC")
        partitions = len(producer.partitions_for(topic))  # metadata now: the first send need not wait
    except (KafkaError, OSError) as e:
        producer.close(timeout=1)
        raise Unavailable(f"{unreachable} [{_one_line(e, 120)}]") from None
    except BaseException:
        producer.close(timeout=1)
        raise
    return producer, partitions


def produce(cfg, events: Iterable[dict], *, rate: float = 0, duration: float | None = None, progress: bool = True,
            timestamp_ms: Callable[[dict], int | None] | None = None, total: int | None = None,
            partition: Callable[[dict], int | None] | None = None,
            on_ack: Callable[[dict, bytes, Any], None] | None = None,
            settle_s: float | None = None) -> ProduceSummary:
    """Send events to cfg.kafka_topic and wait until Kafka acknowledged (or refused) each one.

    rate: events per second (0: as fast as possible); duration: stop sending after this many
    seconds; timestamp_ms(event): the record's CreateTime (None: the client's clock; a LogAppendTime topic, as
    every topic of the project, replaces it with the broker's append time); total:
    the progress bar's length; partition(event): its partition (None: by its uuid); on_ack(event,
    value, metadata): called with what Kafka acknowledged (partition, offset, and the timestamp the
    broker kept: the append time on a LogAppendTime topic); settle_s: how long the end waits for
    what is still in flight (flush, then close) before counting it failed (default: its delivery
    timeout). Ctrl-C stops sending, flushes what is in flight and raises Interrupted with the summary.

    The partition is crc32(uuid) mod partitions: like the default partitioner, the same key
    always lands on the same partition, but computed in C; kafka-python's pure-Python murmur2
    costs about a third of each send().
    """
    from kafka.errors import KafkaError
    from tqdm import tqdm

    producer, partitions = connect(cfg)
    topic = cfg.kafka_topic
    acked: list[str] = []
    failures: list[BaseException] = []
    def acked_one(uuid, event, value, metadata):  # runs on the sender thread
        acked.append(uuid)
        if on_ack:
            on_ack(event, value, metadata)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    bar = tqdm(total=total, unit=" events", disable=not progress or not sys.stderr.isatty(), file=sys.stderr,
               desc=f"-> {topic}", mininterval=0.5)
    clock, crc32 = time.monotonic, zlib.crc32
    start = clock()
    deadline = start + duration if duration else None
    queued = shown = 0
    interrupted = False
    try:
        try:
            for event in events:
                if deadline is not None or rate:
                    now = clock()
                    if deadline is not None and now >= deadline:
                        break
                    if rate:
                        ahead = start + queued / rate - now
                        if ahead > 0:
                            time.sleep(ahead)
                key = event["uuid"]
                key_bytes = key.encode()
                value = dumps(event).encode()
                chosen = partition(event) if partition else None
                future = producer.send(topic, key=key_bytes, value=value,
                                       partition=crc32(key_bytes) % partitions if chosen is None else chosen,
                                       timestamp_ms=timestamp_ms(event) if timestamp_ms else None)
                future.add_callback(acked_one, key, event, value)
                future.add_errback(failures.append)
                queued += 1
                if queued - shown >= 1024:
                    bar.update(queued - shown)
                    shown = queued
        except KeyboardInterrupt:
            interrupted = True
        except KafkaError as e:  # send() itself gave up: buffer full or metadata gone for max_block_ms
            failures.append(e)
            queued += 1  # the event it was sending
        bar.update(queued - shown)
        try:
            # Each record ends acknowledged or failed within delivery_timeout_ms, but kafka-python
            # does not expire a batch in flight to a broker that was killed: bounded here too.
            producer.flush(timeout=_DELIVERY_TIMEOUT_MS / 1000 + KAFKA_TIMEOUT_S if settle_s is None else settle_s)
        except KafkaError as e:  # records still unresolved count as failed below
            failures.append(e)
        end = clock()
    finally:
        producer.close(timeout=KAFKA_TIMEOUT_S if settle_s is None else settle_s)
        bar.close()
    # Failed = not acknowledged: refused, timed out in flight, or never resolved.
    summary = ProduceSummary(sent=len(acked), failed=queued - len(acked), elapsed_s=end - start, uuids=acked,
                             first_error=_one_line(f"{type(failures[0]).__name__}: {failures[0]}", 160)
                             if failures else None)
    if interrupted:
        raise Interrupted(summary)
    return summary
