"""The producer and the demo: where events come from and how many."""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.settings.option import option


@dataclass(frozen=True)
class Producer:
    randomuser_api_url: str = option("https://randomuser.me/api/", "base URL of the RandomUser API")
    producer_source: str = option("api", "where events come from: api|generate")
    events: int = option(10000, "events the demo produces")
