"""Read the version manifest (pom.xml) so that code, tests and images agree on one list."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent.parent / "pom.xml"
_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


@lru_cache(maxsize=None)
def properties(path: Path = MANIFEST) -> dict[str, str]:
    root = ET.parse(path).getroot()
    props = root.find("m:properties", _NS)
    return {child.tag.split("}", 1)[1]: (child.text or "").strip() for child in props}


def get(name: str) -> str:
    return properties()[name]
