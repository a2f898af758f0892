"""The measuring tools: the benchmark (make bench, bench-growth, bench-scaling) and the drill."""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.settings.option import option

BENCH_WARMUP_S = 3   # the benchmark leaves each load's first seconds out of its latency (the job's fetch warms up)


@dataclass(frozen=True)
class Bench:
    bench_events: int = option(1_000_000, "events preloaded for the benchmark's drain")
    bench_duration: float = option(30.0, "seconds of load at each fixed rate of the benchmark")
    bench_db: str = option("flink_bench", "database the benchmark writes to (never the pipeline's)")
    bench_rounds: int = option(2, "rounds of the benchmark's drains: every contender drains once a round, in a "
                                  "seeded order, reversed every second round; the figures are the medians, with "
                                  "their spread (min-max)")
    bench_peers: str = option("quixstreams,pathway,bytewax", "peer frameworks the benchmark also drains with, "
                                                             "after the plain consumer: a comma-separated list of "
                                                             "quixstreams, pathway, bytewax; none: no peer (each "
                                                             "installs into a venv of its own, .cache/peers)")
    growth_events: int = option(10_000_000, "events the growth benchmark drains into one table (make bench-growth)")
    growth_step: int = option(1_000_000, "the growth benchmark's cost per event is measured every this many rows")
    scaling_events: int = option(500_000, "events drained at each parallelism (1, 2, 4) by make bench-scaling")
    # The drill (make drill, docs/drill.md).
    drill_rate: int = option(2000, "events/s of the drill's steady load")
    drill_window_s: float = option(10.0, "seconds of steady load the drill keeps before and after each fault "
                                         "(the span of its latency figures)")
