"""Send user events to Kafka: from the RandomUser API, or generated offline.

Each event is {"uuid", "first_name", "last_name", "country", "age"} as compact UTF-8 JSON,
keyed by the uuid. An event counts as sent once Kafka acknowledged it (acks=all). Kafka that
does not answer within 10 s, or a missing topic, is an error (exit 3), never a hang.
Ctrl-C flushes what is in flight, prints the summary and exits 130.

Examples:
  flinkfast produce --source generate --count 10000 --seed 1     # offline, reproducible
  flinkfast produce --source generate --rate 500 --duration 60   # 500 events/s for a minute
  flinkfast produce --source generate --rate 100 --duration 60 --forever --heartbeat /tmp/alive
                                                                  # without end, a summary a minute
  flinkfast produce --source api --count 100                      # 100 users from randomuser.me
  RANDOMUSER_API_URL=http://localhost:8000/api/ flinkfast produce --count 10

--forever (a Deployment's producer) runs rounds of --duration seconds without end: each round
prints its summary line and forgets its events (memory stays flat), touches --heartbeat once
Kafka acknowledged all of it (a liveness probe checks the file's age), and a round with an
unacknowledged event ends the run with exit 3.

Exit codes: 0 all sent, 2 bad usage, 3 API or Kafka unavailable (or events not acknowledged),
130 interrupted.
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from flinkfast import config
from flinkfast.cli.command import Command
from flinkfast.errors import ConfigError, Unavailable

DEFAULT_COUNT = 1000
SOURCES = ("api", "generate")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", dest="PRODUCER_SOURCE", choices=SOURCES, default=None,
                        help="where events come from (short for --producer-source) [env PRODUCER_SOURCE; default api]")
    parser.add_argument("--count", type=int, default=None,
                        help=f"events to send (default: rate*duration when both are given, else {DEFAULT_COUNT}; "
                             "with only --duration the generator runs until the time is up)")
    parser.add_argument("--rate", type=float, default=0, help="events per second; 0 = as fast as possible (default)")
    parser.add_argument("--duration", type=float, default=None, help="stop sending after this many seconds")
    parser.add_argument("--seed", type=int, default=None, help="seed of the generator: same seed, same events")
    parser.add_argument("--forever", action="store_true",
                        help="run without end in rounds of --duration seconds (generator only), a summary line each")
    parser.add_argument("--heartbeat", default=None, metavar="FILE",
                        help="touch FILE after every round Kafka acknowledged in full (for a liveness probe)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (it is off anyway when stderr is not a terminal)")


def _check(args: argparse.Namespace) -> None:
    if args.count is not None and args.count < 1:
        raise ConfigError("--count must be at least 1")
    if args.rate < 0:
        raise ConfigError("--rate must not be negative")
    if args.duration is not None and args.duration <= 0:
        raise ConfigError("--duration must be positive")
    if args.forever and (args.duration is None or args.count is not None):
        raise ConfigError("--forever needs --duration (the length of a round) and no --count")


def event_count(args: argparse.Namespace, source: str) -> int | None:
    """How many events to make; None means 'until --duration is up' (generator only)."""
    if args.count is not None:
        return args.count
    if args.duration and args.rate:
        return max(1, int(args.rate * args.duration))
    if args.duration and source == "generate":
        return None
    return DEFAULT_COUNT


def _run(args: argparse.Namespace) -> int:
    _check(args)
    cfg = config.from_args(args)
    from flinkfast.events import producer

    source = cfg.producer_source
    if source not in SOURCES:
        raise ConfigError(f"PRODUCER_SOURCE={source!r} must be one of: {', '.join(SOURCES)}")
    if args.forever and source != "generate":
        raise ConfigError("--forever runs the generator only (--source generate)")
    count = event_count(args, source)
    for round_ in itertools.count() if args.forever else range(1):
        if source == "generate":
            # Each round its own seed when one is given: the same run again, never a round repeated.
            events = producer.generate_events(count, seed=None if args.seed is None else args.seed + round_)
        else:
            events = producer.fetch_api_users(cfg.randomuser_api_url, count)
        try:
            summary = producer.produce(cfg, events, rate=args.rate, duration=args.duration,
                                       progress=not args.quiet, total=count)
        except producer.Interrupted as e:
            print(e.summary.line() + " (interrupted)", flush=True)
            return 130
        print(summary.line(), flush=True)
        if summary.failed:
            raise Unavailable(f"{summary.failed:,} events were not acknowledged by Kafka at "
                              f"{cfg.kafka_bootstrap_servers}: {summary.first_error}")
        if args.heartbeat:
            Path(args.heartbeat).touch()
    return 0




COMMAND = Command("produce", "send events to Kafka, from the RandomUser API or generated",
                  "flinkfast produce --source generate --count 10000 --seed 1", _run, _arguments,
                  settings=("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "RANDOMUSER_API_URL", "PRODUCER_SOURCE"),
                  description=__doc__.strip())


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    return COMMAND.main(argv, prog or "python producer_api.py")


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    """The producer's arguments as the command parses them (for the shim and the tests)."""
    return COMMAND.fill(argparse.ArgumentParser(prog=prog or "python producer_api.py")).parse_args(argv)
