"""The benchmark's results as a table for the terminal and a picture for the README."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

from flinkfast.bench.drain import WARMUP_S
from flinkfast.bench.peers import PEERS

def stamp() -> str:
    """The UTC moment that names a run's files (benchmarks/<stamp>...)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def write_json(out: Path, name: str, result: dict) -> Path:
    """A run's result as out/<name>.json, the folder made if missing."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


CPU_KEYS = ("taskmanager", "postgres", "kafka", "client", "peer", "rest", "total")
PEER_BARS = {"quixstreams": ("quix-\nstreams", "#5aa469"), "pathway": ("pathway", "#8c6bb1"),  # label, colour
             "bytewax": ("bytewax", "#d6a03a")}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(), "java": java}


# The server settings a figure depends on, recorded beside it (flinkfast/stack/postgres.py sets them).
POSTGRES_SETTINGS = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression", "full_page_writes",
                     "synchronous_commit", "fsync")


def postgres_settings(cfg) -> dict:
    from flinkfast.clients import pg_connect
    with pg_connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("SELECT name, current_setting(name) FROM unnest(%s::text[]) AS name", (list(POSTGRES_SETTINGS),))
        return dict(cur.fetchall())


NAMES = {"pipeline": "Flink pipeline ({sink} sink)",
         "jdbc_sink": "Flink pipeline, Flink's JDBC sink instead",
         "copy_sink": "Flink pipeline, the COPY sink instead",
         "seed_settings": "Flink, original settings (100 rows/2 s, p=1)",
         "naive_consumer": "plain Python consumer (kafka-python+psycopg2)",
         **{name: peer.title for name, peer in PEERS.items()},
         "copy_ceiling": "COPY ceiling (PostgreSQL alone)",
         "copy_parallel": "COPY ceiling, {p} connections at once"}


def _spread(r: dict, key: str) -> str:
    low, high = r.get("spread", {}).get(key, (None, None))
    return f"{low:,}-{high:,}" if low is not None and low != high else ""


def table(result: dict) -> str:
    d = result["drain"]
    pipeline = d["pipeline"]["events_per_s"]
    steady_pipeline = d["pipeline"].get("steady_events_per_s") or pipeline
    rounds = result.get("rounds", 1)
    lines = [f"Drain of {result['events']:,} preloaded events into PostgreSQL "
             f"({result['machine']['cores']} cores, {result['machine']['cpu']}); the median of {rounds} round(s) "
             f"(order seed {result.get('order_seed', '-')}), its spread min-max; steady = the middle 80 % of the rows",
             f"  {'contender':<44}{'events/s':>10}{'spread':>16}{'steady':>10}{'spread':>16}{'seconds':>9}"
             f"{'vs pipeline':>12}{'steady vs':>10}"]
    cpu_lines = ["CPU per event over each drain's own window (µs, from /proc; client = the benchmark's process: "
                 "the Python consumer, the COPY sender, the progress poll and sampling; peer = a peer framework's "
                 "own process; rest = JobManager + ZooKeeper)",
                 f"  {'contender':<44}" + "".join(f"{k:>12}" for k in CPU_KEYS)]
    wal_lines = ["WAL per drain (from its start to its end; pg_current_wal_lsn and pg_stat_wal), peak PSS of the "
                 "whole stack in its window",
                 f"  {'contender':<44}{'WAL MiB':>10}{'B/event':>10}{'full pages':>12}{'peak PSS GiB':>14}"]
    names = {k: v.format(sink=result.get("settings", {}).get("SINK_MODE", "copy"),
                         p=result.get("settings", {}).get("FLINK_PARALLELISM", "?")) for k, v in NAMES.items()}
    for key, name in names.items():
        if key not in d:  # a result written before this contender existed
            continue
        r = d[key]
        steady = r.get("steady_events_per_s")
        lines.append(f"  {name:<44}{r['events_per_s']:>10,}{_spread(r, 'events_per_s'):>16}"
                     f"{steady or 0:>10,}{_spread(r, 'steady_events_per_s'):>16}{r['seconds']:>9.1f}"
                     f"{r['events_per_s'] / pipeline:>11.2f}x{(steady or 0) / steady_pipeline:>9.2f}x")
        cpu = r.get("cpu_us_per_event", {})
        cpu_lines.append(f"  {name:<44}" + "".join(f"{cpu.get(k, 0):>12.1f}" for k in CPU_KEYS))
        if "wal_bytes" in r:
            wal_lines.append(f"  {name:<44}{r['wal_bytes'] / 2 ** 20:>10,.0f}{r['wal_bytes_per_event']:>10,.0f}"
                             f"{r['wal_fpi']:>12,}{r['peak_pss_mib']['total'] / 1024:>14.2f}")
    warmup = result.get("warmup")
    if warmup:
        lines.append(f"  {'(warm-up: the pipeline run first, not compared)':<44}{warmup['events_per_s']:>10,}{'':>16}"
                     f"{warmup.get('steady_events_per_s') or 0:>10,}{'':>16}{warmup['seconds']:>9.1f}"
                     f"{warmup['events_per_s'] / pipeline:>11.2f}x")
    jobs = [(names[key], d[key]["submission"]) for key in names if "submission" in d.get(key, {})]
    if warmup and "submission" in warmup:
        jobs.append(("(warm-up)", warmup["submission"]))
    if jobs:
        lines += ["", "The jobs' submissions, each before its drain's window and not in its figures (the flink run "
                      "client, the deployment and the tasks' initialization; the median; CPU seconds by part)"]
        for name, submission in jobs:
            cpu = submission["cpu_s"]
            lines.append(f"  {name:<44}{submission['seconds']:>7.1f} s   " +
                         ", ".join(f"{k} {cpu[k]:.1f}" for k in CPU_KEYS if k in cpu) +
                         f", total {sum(cpu.values()):.1f}")
    lines += ["", *cpu_lines, "", *wal_lines]
    peers = [name for name in PEERS if name in d]
    if peers:
        lines += ["", "The peers' settings (a peer's upsert does none of the pipeline's placing: less work per row)"]
        lines += [f"  {names[key]}: {d[key]['settings']}; start-up {d[key]['start_to_ready_s']:.1f} s (not timed)"
                  for key in peers]
    profile = result.get("profiled_drain", {}).get("profile", {})
    top = profile.get("top_frames", [])
    if top:
        lines += ["", "TaskManager CPU profile during the pipeline's profiled drain (JFR; self % of samples)"]
        lines += [f"  {f['self_pct']:>5.1f}%  {f['frame']}" for f in top[:10]]
    pg = profile.get("postgres", {})
    if pg.get("top_functions"):
        lines += ["", "PostgreSQL CPU profile during the pipeline's profiled drain (perf, cpu-clock; self % of its samples)"]
        lines += [f"  {f['self_pct']:>5.1f}%  {f['function']} ({f['dso']})" for f in pg["top_functions"][:10]]
    elif pg.get("unavailable"):
        lines += ["", f"PostgreSQL CPU profile: none ({pg['unavailable']})"]
    lines.append("")
    lines.append(f"Latency (postgres_timestamp - kafka_timestamp, ms) at a fixed offered load, first {WARMUP_S} s left out")
    lines.append(f"  {'offered':>10}{'achieved':>10}{'rows':>9}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for rate, r in result["latency_ms"].items():
        lines.append(f"  {int(rate):>10,}{r['achieved_events_per_s']:>10,}{r['rows']:>9,}{r['p50']:>9.0f}"
                     f"{r['p95']:>9.0f}{r['p99']:>9.0f}{r['max']:>9.0f}")
    lines.append("")
    if "peak_pss_mib" in result:
        lines.append("Peak PSS per part (MiB, /proc/PID/smaps_rollup: a shared page counts once in all): " + ", ".join(
            f"{k} {v:.0f}" for k, v in result["peak_pss_mib"].items()))
        lines.append(f"Peak PSS of the whole stack at one instant (the peer running then included): "
                     f"{result['peak_pss_whole_stack_mib'] / 1024:.2f} GiB")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]})
    shown = [("pipeline", "Flink\n(ours)", "#3b75af"), ("jdbc_sink", "Flink,\nJDBC sink", "#6b9bc9"),
             ("copy_sink", "Flink,\nCOPY sink", "#6b9bc9"),
             ("seed_settings", "Flink\n(original)", "#9dbbd9"), ("naive_consumer", "Python\nconsumer", "#e1812c"),
             *[(name, *PEER_BARS.get(name, (name, "#5aa469"))) for name in PEERS],
             ("copy_ceiling", "one COPY", "#999999"), ("copy_parallel", "parallel\nCOPY", "#bbbbbb")]
    shown = [s for s in shown if s[0] in result["drain"]]
    values = [result["drain"][k]["events_per_s"] for k, _, _ in shown]
    # the median of the rounds, its spread (min-max) as an error bar
    spread = [result["drain"][k].get("spread", {}).get("events_per_s", [v, v]) for (k, _, _), v in zip(shown, values)]
    bars = left.bar([label for _, label, _ in shown], values, color=[c for _, _, c in shown],
                    yerr=[[v - lo for v, (lo, _) in zip(values, spread)], [hi - v for v, (_, hi) in zip(values, spread)]],
                    capsize=3)
    left.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8)
    # Nine bars or more: their names one line each, slanted, so that neighbours never overlap.
    left.set_xticks(range(len(shown)), [label.replace("-\n", "").replace("\n", " ") for _, label, _ in shown],
                    rotation=30, ha="right", fontsize=8)
    steady = [(i, result["drain"][k].get("steady_events_per_s")) for i, (k, _, _) in enumerate(shown)]
    steady = [(i, v) for i, v in steady if v]
    if steady:  # the steady rate (the middle 80 % of the rows) of each, beside its whole drain's
        left.scatter([i for i, _ in steady], [v for _, v in steady], marker="_", s=500, color="black", zorder=3,
                     label="steady (the middle 80 % of the rows)")
        left.legend(loc="upper left", fontsize=8)
    left.set_ylabel("events/s (median of the rounds, min-max)")
    left.set_title(f"drain of {result['events']:,} events into PostgreSQL, {result.get('rounds', 1)} round(s)")
    width = 0.38
    stats = ["p50", "p95", "p99", "max"]
    for i, (rate, r) in enumerate(result["latency_ms"].items()):
        xs = [j + (i - 0.5) * width for j in range(len(stats))]
        b = right.bar(xs, [r[s] for s in stats], width,
                      label=f"{int(rate):,} events/s offered ({r['achieved_events_per_s']:,} achieved)")
        right.bar_label(b, labels=[f"{r[s]:.0f}" for s in stats], fontsize=8)
    right.set_xticks(range(len(stats)), stats)
    right.set_ylabel("ms")
    right.set_title("latency Kafka → PostgreSQL at a fixed load")
    right.legend()
    fig.suptitle(f"flinkfast benchmark, {result['machine']['cores']} cores, {result['machine']['cpu']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


