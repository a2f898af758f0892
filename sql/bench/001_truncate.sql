-- Before each contender: empty tables in the benchmark's own database (BENCH_DB), never the
-- pipeline's.
TRUNCATE processed_events, dead_letter_events, superseded_events, event_places;
