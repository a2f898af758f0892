#!/usr/bin/env python3
"""Print the pipeline's latency report from PostgreSQL (`flinkfast report`; this script stays
for the compose path and existing habits, with the same flags). See flinkfast/cli/report.py.

Examples:
  python print_data_postgres.py
  python print_data_postgres.py --since "2026-11-25 10:00:00+00" --json
  python print_data_postgres.py --reconcile --wait 60
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flinkfast.errors import run  # noqa: E402
from flinkfast.cli.report import main  # noqa: E402

if __name__ == "__main__":
    run(main, "print_data_postgres")
