-- The growth benchmark's measure of the table: bytes on disk of processed_events with its
-- indexes and TOAST, as it grows.
SELECT pg_total_relation_size('processed_events') AS bytes;
