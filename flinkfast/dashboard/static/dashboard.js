// The dashboard page: asks /api/snapshot every second and redraws. No figure is computed here:
// the server sends them (from the SQL in sql/report/, Flink's REST API and Kafka).
"use strict";

const REFRESH_MS = 1000;
const params = new URLSearchParams(location.search);
let windowS = parseInt(params.get("window") || "0", 10) || null;
let fails = 0;

const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 0) => v === null || v === undefined ? "–"
  : Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
const duration = (s) => s === null || s === undefined ? "–"
  : s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor(s % 3600 / 60)} min`
  : s >= 60 ? `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s` : `${Math.round(s)} s`;

// A headline figure: the text for people, data-value for tools and tests.
function figure(id, value, digits = 0, cls = "") {
  const el = $(id);
  el.textContent = fmt(value, digits);
  el.dataset.value = value === null || value === undefined ? "" : String(value);
  el.className = "value " + cls;
}

const LAYOUT = {
  margin: { l: 50, r: 10, t: 30, b: 30 }, showlegend: true,
  legend: { orientation: "h", y: -0.15 }, xaxis: { type: "date" },
  font: { size: 11 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
};
const CONFIG = { displayModeBar: false, responsive: true };
const STAT_COLORS = { p50: "#1f77b4", p95: "#ff7f0e", p99: "#d62728", max: "#7f7f7f" };

function latencyChart(el, title, stage, s, x) {
  const traces = ["p50", "p95", "p99", "max"].map((stat) => ({
    x, y: s[`${stage}_${stat}_ms`], name: stat, mode: "lines", connectgaps: false,
    line: { width: stat === "max" ? 1 : 2, color: STAT_COLORS[stat], dash: stat === "max" ? "dot" : "solid" },
  }));
  Plotly.react(el, traces, { ...LAYOUT, title: { text: title, font: { size: 13 } }, yaxis: { title: "ms", rangemode: "tozero" } }, CONFIG);
}

function throughputChart(el, s, x) {
  const traces = [
    { x, y: s.rows, name: "processed_events", type: "bar", marker: { color: "#2e7d32" } },
    { x, y: s.dead_letters, name: "dead_letter_events", type: "bar", marker: { color: "#c62828" } },
  ];
  Plotly.react(el, traces, { ...LAYOUT, barmode: "stack", bargap: 0, title: { text: "rows/s inserted", font: { size: 13 } },
    yaxis: { title: "rows/s", rangemode: "tozero" } }, CONFIG);
}

function dl(el, items) {
  el.innerHTML = items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
}

function render(snap) {
  const sel = $("window-select");
  if (snap.window && sel.options.length === 0) {
    for (const w of snap.window.choices) sel.add(new Option(w >= 60 ? `${w / 60} min` : `${w} s`, w));
  }
  if (snap.window) sel.value = String(snap.window.seconds);
  const job = snap.job || {};
  const sources = snap.sources || {};

  // Problems first: the banner says what `make status` says (the same rules, flinkfast/accounting/health.py),
  // and a notice for each source that did not answer.
  const banner = $("banner");
  const problems = snap.problems || [];
  document.body.dataset.ok = snap.problems ? String(problems.length === 0) : "";
  if (problems.length) {
    banner.hidden = false;
    banner.textContent = problems.join("\n");
  } else {
    banner.hidden = true;
    banner.textContent = "";
  }
  const errors = Object.entries(sources).filter(([, s]) => s.ok === false)
    .map(([name, s]) => `${name} unavailable: ${s.error}` + (s.as_of ? ` (last read ${new Date(s.as_of).toLocaleTimeString()}; figures from it are stale)` : ""));
  $("source-errors").hidden = errors.length === 0;
  $("source-errors").textContent = errors.join("\n");
  document.body.dataset.postgres = sources.postgres ? String(sources.postgres.ok) : "";

  if (!snap.ready) {
    $("updated").textContent = snap.message || "waiting for the first figures …";
    return;
  }
  if (job.web_ui) $("flink-ui").href = job.web_ui_job || job.web_ui;
  const h = snap.headline || {};
  figure("rows-total", h.rows_total);
  figure("events-per-s", h.events_per_s, 1);
  figure("latency-p50", h.latency_p50_ms, 1);
  figure("latency-p99", h.latency_p99_ms, 1);
  figure("dead-letters-total", h.dead_letters_total, 0, h.dead_letters_total ? "bad" : "");
  figure("lost-recorded", h.lost_recorded, 0, h.lost_recorded ? "bad" : "");
  figure("consumer-lag", h.consumer_lag);
  const state = $("job-state");
  state.textContent = job.state || "–";
  state.dataset.value = job.state || "";
  state.className = "value " + (job.state === "RUNNING" ? "good" : "bad");
  document.body.dataset.windowSince = snap.window.since || "";
  document.body.dataset.asOf = snap.as_of || "";
  document.body.dataset.latencySince = (snap.latency && snap.latency.since) || "";
  document.body.dataset.latencyAsOf = (snap.latency && snap.latency.as_of) || "";

  if (snap.series) {
    const s = snap.series;
    const x = s.t_ms.map((t) => new Date(t));
    latencyChart($("chart-kafka-flink"), "Kafka → Flink latency per second", "kafka_to_flink", s, x);
    latencyChart($("chart-flink-postgres"), "Flink → PostgreSQL latency per second", "flink_to_postgres", s, x);
    throughputChart($("chart-throughput"), s, x);
  }

  const lat = snap.latency || {};
  const stages = lat.stages || {};
  $("latency-table").tBodies[0].innerHTML = Object.entries(stages).map(([stage, r]) =>
    `<tr><td>${esc(stage.replaceAll("_", " "))}</td><td class="num">${fmt(r.rows)}</td>` +
    ["p50_ms", "p95_ms", "p99_ms", "max_ms"].map((k) => `<td class="num">${fmt(r[k], 1)}</td>`).join("") + "</tr>").join("");
  $("latency-note").textContent = lat.as_of
    ? `sql/report/003_latency_percentiles.sql over rows inserted since ${new Date(lat.since).toLocaleTimeString()}; ` +
      `computed at ${new Date(lat.as_of).toLocaleTimeString()} in ${fmt(lat.query_s, 2)} s (recomputed every max(1 s, 20 × that))`
    : "";

  const cp = job.last_checkpoint || {};
  dl($("job-details"), [
    ["job", `${job.name || "–"}${job.id ? " (" + job.id.slice(0, 8) + "…)" : ""}`],
    ["state", job.state || "–"],
    ["uptime", duration(job.uptime_s)],
    ["restarts", fmt(job.restarts)],
    ["last checkpoint", cp.at_ms ? `#${cp.id}, ${duration((Date.now() - cp.at_ms) / 1000)} ago, ${fmt(cp.duration_ms)} ms` : "none yet"],
    ["checkpoints", `${fmt(cp.completed)} completed, ${fmt(cp.failed)} failed`],
    ["TaskManagers", fmt(job.taskmanagers)],
    ["slots", `${fmt(job.slots_available)} free of ${fmt(job.slots_total)}`],
  ]);
  const lag = snap.lag || {};
  dl($("lag-details"), [
    ["pendingRecords (Flink)", fmt(lag.pending_records)],
    ["committed-offset lag", lag.committed_lag === null || lag.committed_lag === undefined ? (lag.note || "–") : fmt(lag.committed_lag)],
    ["per partition", Object.entries(lag.per_partition || {}).map(([p, v]) => `${p}: ${fmt(v)}`).join(", ") || "–"],
    ["topic / group", `${lag.topic || "–"} / ${lag.group || "–"}`],
    ["Kafka brokers", fmt(lag.brokers)],
    ["replicas (in sync)", lag.replicas === undefined ? "–" : `${fmt(lag.replicas)} (${fmt(lag.in_sync)}) per partition`],
  ]);

  $("dead-letters").tBodies[0].innerHTML = (snap.dead_letters_latest || []).map((d) =>
    `<tr><td>${esc(new Date(d.postgres_timestamp).toLocaleTimeString())}</td>` +
    `<td>${esc(d.kafka_topic)}/${d.kafka_partition}/${d.kafka_offset}</td><td>${esc(d.reason)}</td>` +
    `<td class="num">${fmt(d.payload_size)}</td><td class="payload">${esc(d.payload_start)}</td></tr>`).join("")
    || `<tr><td colspan="5" class="muted">none</td></tr>`;

  $("updated").textContent = `updated ${new Date().toLocaleTimeString()}` + (sources.postgres && sources.postgres.ok === false ? " (PostgreSQL down: stale)" : "");
}

async function tick() {
  try {
    const r = await fetch(`/api/snapshot${windowS ? "?window=" + windowS : ""}`, { cache: "no-store" });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    render(await r.json());
    fails = 0;
  } catch (e) {
    fails += 1;
    $("source-errors").hidden = false;
    $("source-errors").textContent = `The dashboard server does not answer (${e.message}); retrying every second …`;
    $("updated").textContent = "server unreachable";
  } finally {
    setTimeout(tick, REFRESH_MS);
  }
}

$("window-select").addEventListener("change", (e) => {
  windowS = parseInt(e.target.value, 10);
  params.set("window", windowS);
  history.replaceState(null, "", "?" + params.toString());
});

tick();
