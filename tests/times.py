"""Where a test run's time went, from the JUnit XML that make test, check, test-long and test-unit keep
(.state/test-results/<target>.xml): seconds by tier and by file, slowest first.

    python -m tests.times                       # every file in .state/test-results
    python -m tests.times .state/test-results/test.xml
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / ".state" / "test-results"


def by_file(xml_path: Path) -> dict[str, float]:
    """Seconds per test file (setup, call and teardown: pytest's testcase time)."""
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        name = "/".join(m for m in module if not m[:1].isupper()) + ".py"   # a test class's name dropped
        seconds[name] += float(case.get("time") or 0)
    return dict(seconds)


def summary(xml_path: Path, top: int = 15) -> str:
    files = by_file(xml_path)
    tiers: dict[str, float] = defaultdict(float)
    for name, s in files.items():
        tiers[name.split("/")[1] if name.count("/") >= 2 else "?"] += s
    lines = [f"{xml_path}: {sum(files.values()) / 60:.1f} min in tests"]
    lines += [f"  {tier:<8} {s / 60:6.1f} min" for tier, s in sorted(tiers.items(), key=lambda kv: -kv[1])]
    lines += [f"  {s:7.1f} s  {name}" for name, s in sorted(files.items(), key=lambda kv: -kv[1])[:top]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(RESULTS.glob("*.xml"))
    if not paths:
        print(f"no results in {RESULTS}: run a make test target first", file=sys.stderr)
        return 1
    print("\n\n".join(summary(p) for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
