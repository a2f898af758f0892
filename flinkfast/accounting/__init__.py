"""Where every message went and how the pipeline is doing: reconciliation, counts, health and the latency report."""
