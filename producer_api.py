#!/usr/bin/env python3
"""Send user events to Kafka, from the RandomUser API or generated offline (`flinkfast produce`;
this script stays for the compose path, with the same flags). See flinkfast/cli/producer.py.

Examples:
  python producer_api.py --source generate --count 10000 --seed 1
  python producer_api.py --source api --count 100
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flinkfast.errors import run  # noqa: E402
from flinkfast.cli.producer import DEFAULT_COUNT, SOURCES, event_count, main, parse_args  # noqa: E402,F401

if __name__ == "__main__":
    run(main, "producer_api")
