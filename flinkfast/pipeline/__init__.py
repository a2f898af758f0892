"""The Flink job: its SQL and settings, how it is submitted, skipped past and asked about (Flink's REST API)."""
