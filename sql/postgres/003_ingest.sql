-- Where each message goes: decided here, in one place, by the database.
--
-- The job's two sinks insert every message they read -- good events and dead letters alike,
-- replays included -- into two views, processed_events_in and dead_letter_events_in, as plain
-- INSERTs (the Flink sink tables declare no primary key, so Flink's JDBC sink neither upserts
-- nor folds two messages with one key into one row inside a flush). The views' triggers place
-- each statement's messages all at once, so that:
--
--   1. Exactly one place. Every Kafka position ends in exactly one of processed_events,
--      superseded_events, dead_letter_events, whatever partition, subtask or flush it shares
--      a uuid with. The database holds this by construction (event_places and its check, 001_schema.sql),
--      whatever a writer inserts: a position placed already under another uuid is left out.
--   2. A deterministic winner. Among the messages with one uuid, processed_events holds the
--      greatest by (kafka_ts_ms, kafka_partition, kafka_offset, kafka_topic): a total order on
--      the messages themselves, not on their arrival, so every replay in any interleaving of
--      partitions converges to the same rows. The others are in superseded_events.
--   3. Replays change nothing. A position already placed is left as it is: the winner's row
--      keeps its flink_ts_ms and postgres_timestamp (so no stage latency goes negative), a dead
--      letter keeps its payload_size, a superseded row its superseded_at. The first
--      classification of a position stands: a replay with other SKIP_MESSAGES or MAX_EVENT_CHARS
--      cannot put it in a second table.
--
-- How (three triggers per view): before the statement, open_batch() makes sure the session
-- has its batch table (a temporary table, so sessions never see each other's rows and nothing
-- is written to the WAL or left behind); each row is stashed there; after the statement,
-- place_*() places the whole batch with two set-based statements and empties it. A writer may
-- also fill its batch table itself (pg_temp.processed_events_batch for processed_events_in,
-- pg_temp.dead_letter_events_batch for dead_letter_events_in: open_batch() grants it INSERT)
-- and then run a statement on the view with no rows, whose statement triggers place the batch:
-- the COPY sink does so (udf/.../sink/CopyWriter.java), skipping the stash trigger per row.
-- Set-based,
-- because a statement per row cost PostgreSQL 72 us a row against 45 for the batch (100,000
-- rows on this project's 2-core VM), and a plain upsert 29: the placing costs about 16 us a row.
--
-- Planned per flush. A PL/pgSQL statement without variables is planned once per session and its
-- plan kept until the tables' statistics change, so the plans a writer's first flush made on
-- empty tables (a first run; every benchmark drain, after its TRUNCATE) stayed while the tables
-- grew: a hash join that read the whole of event_places into memory on every flush, 316 ms for
-- a batch of 5,000 rows with 527,000 positions placed (auto_explain), growing with the table,
-- until autovacuum next analyzed it. So each statement that joins the batch with a table that
-- grows is run with EXECUTE and planned for the sizes at hand (index probes), at a fraction of a
-- millisecond of planning per flush; so is every statement of the triggers on the three tables
-- (record_changed_hands, record_places: they join a statement's rows with the tables).
-- tests/e2e/test_placing_plans_e2e.py checks the plans.
--
-- Who: the writer may insert into the two views (and topic_generations_in, at the end) and do nothing else. open_batch() and place_*()
-- run as flinkfast_ingest (SECURITY DEFINER; 002_roles.sql), hardened as PostgreSQL's manual
-- asks: search_path is pg_catalog then pg_temp, so a temporary object can never shadow a name
-- (and every table is schema-qualified anyway); EXECUTE is revoked from PUBLIC (a trigger fires
-- without it); each refuses to run as any other trigger than its own.
-- tests/e2e/test_security_db_e2e.py checks every SECURITY DEFINER function of the
-- database for this, so the next one added cannot reopen it, and attacks the rest.
\set QUIET on
\getenv writer_user FLINK_DB_USER

-- The views have no table under them (nothing could ever pass through) and no rows.
CREATE OR REPLACE VIEW processed_events_in AS
SELECT NULL::text    AS uuid,
       NULL::text    AS first_name,
       NULL::text    AS last_name,
       NULL::text    AS country,
       NULL::integer AS age,
       NULL::integer AS birth_year,
       NULL::text    AS kafka_topic,
       NULL::integer AS kafka_partition,
       NULL::bigint  AS kafka_offset,
       NULL::bigint  AS kafka_ts_ms,
       NULL::bigint  AS flink_ts_ms,
       NULL::bigint  AS fingerprint
 WHERE false;

CREATE OR REPLACE VIEW dead_letter_events_in AS
SELECT NULL::text    AS kafka_topic,
       NULL::integer AS kafka_partition,
       NULL::bigint  AS kafka_offset,
       NULL::text    AS reason,
       NULL::bytea   AS payload,
       NULL::bigint  AS kafka_ts_ms,
       NULL::bigint  AS flink_ts_ms,
       NULL::bigint  AS fingerprint
 WHERE false;

-- Before a statement on either view: this session's two batch tables, created once per session
-- (ON COMMIT DELETE ROWS: emptied at every commit as well), owned by flinkfast_ingest; the
-- session's login role may insert into them (the stash triggers run with its rights) and nothing
-- else: it has no TEMP right to create anything of its own there.
CREATE OR REPLACE FUNCTION public.open_batch() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_RELID NOT IN ('public.processed_events_in'::regclass, 'public.dead_letter_events_in'::regclass)
       OR TG_LEVEL <> 'STATEMENT' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION 'open_batch() runs only as the BEFORE statement trigger of the intake views';
    END IF;
    IF to_regclass('pg_temp.processed_events_batch') IS NULL THEN
        CREATE TEMPORARY TABLE processed_events_batch (
            uuid TEXT, first_name TEXT, last_name TEXT, country TEXT, age INTEGER, birth_year INTEGER,
            kafka_topic TEXT, kafka_partition INTEGER, kafka_offset BIGINT, kafka_ts_ms BIGINT, flink_ts_ms BIGINT,
            fingerprint BIGINT
        ) ON COMMIT DELETE ROWS;
        CREATE TEMPORARY TABLE dead_letter_events_batch (
            kafka_topic TEXT, kafka_partition INTEGER, kafka_offset BIGINT, reason TEXT, payload BYTEA,
            kafka_ts_ms BIGINT, flink_ts_ms BIGINT, fingerprint BIGINT
        ) ON COMMIT DELETE ROWS;
        EXECUTE format('GRANT INSERT ON pg_temp.processed_events_batch, pg_temp.dead_letter_events_batch TO %I',
                       session_user);
        -- Analyzed once, empty: the planner then estimates a batch by its pages (about 50 rows a
        -- page), where a table never analyzed counts as at least 10 pages. With that floor a flush of
        -- 10 rows was planned as some 600, and joined with a hash over the whole of event_places or
        -- processed_events while they held up to a few hundred thousand rows: 7 ms of PostgreSQL's
        -- CPU a flush of 10 rows, not 4 (docs/benchmark.md, "Small flushes").
        ANALYZE pg_temp.processed_events_batch, pg_temp.dead_letter_events_batch;
    END IF;
    RETURN NULL;
END $$;

-- Each row into the batch (with the session's own rights: no switch of user per row). A row without
-- a fingerprint is refused: the job always sends one, and one written without it (the writer's
-- password) would otherwise stand at a position not read yet, so that the message Kafka later
-- holds there is taken for its replay and dropped without a word.
CREATE OR REPLACE FUNCTION public.stash_processed_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.fingerprint IS NULL THEN
        RAISE EXCEPTION 'a message without a fingerprint at %/%/%: the intake takes only what the job sends',
                        NEW.kafka_topic, NEW.kafka_partition, NEW.kafka_offset USING ERRCODE = 'not_null_violation';
    END IF;
    INSERT INTO pg_temp.processed_events_batch VALUES (NEW.*);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION public.stash_dead_letter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.fingerprint IS NULL THEN
        RAISE EXCEPTION 'a message without a fingerprint at %/%/%: the intake takes only what the job sends',
                        NEW.kafka_topic, NEW.kafka_partition, NEW.kafka_offset USING ERRCODE = 'not_null_violation';
    END IF;
    INSERT INTO pg_temp.dead_letter_events_batch VALUES (NEW.*);
    RETURN NEW;
END $$;

-- Good events. Two statements over the batch:
--   1. per uuid, the batch's greatest message is upserted; it replaces the row only if it is
--      greater than the row's message (a replay of the row's own message is not: nothing
--      changes). The row-level trigger below records a replaced row's position as superseded.
--      Candidates are taken in uuid order, so two sessions lock rows in the same order.
--   2. every message of the batch that is not its uuid's row now is superseded (a replay of one
--      that was already superseded changes nothing).
-- Positions that are dead letters already are left out of both (the first classification stands).
CREATE OR REPLACE FUNCTION public.place_processed_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    stashed bigint;
    placed  bigint;
    clash   text;
BEGIN
    IF TG_RELID <> 'public.processed_events_in'::regclass OR TG_LEVEL <> 'STATEMENT' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION 'place_processed_events() runs only as the AFTER statement trigger of public.processed_events_in';
    END IF;
    -- A row without a fingerprint is refused here too: the stash trigger checks what comes through
    -- the view, but a writer may fill its batch table itself (as the COPY sink does) and skip it
    -- (found by a review: such a row stood at a position not read yet, and the message Kafka later
    -- held there was left out without a word).
    SELECT format('%s/%s/%s', kafka_topic, kafka_partition, kafka_offset) INTO clash
      FROM pg_temp.processed_events_batch WHERE fingerprint IS NULL LIMIT 1;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'a message without a fingerprint at %: the intake takes only what the job sends', clash
              USING ERRCODE = 'not_null_violation';
    END IF;
    -- Each statement takes its batch's partitions alone, in one order (so two never deadlock), until
    -- it commits. A partition is read by one subtask, so in normal running nobody waits; but a
    -- position written twice at once -- a zombie attempt and its replacement, two jobs on one topic,
    -- one with other SKIP_MESSAGES -- is placed by one session and seen placed by the other: never
    -- in two tables, and never refused. (Shared locks let two sessions writing the same message both
    -- pass ON CONFLICT (uuid)'s check and the second fail on the position's key: a UniqueViolation,
    -- tests/e2e/test_placing_e2e.py::test_two_sessions_placing_the_same_messages_at_once_both_succeed.)
    PERFORM pg_advisory_xact_lock(k.topic_key, k.kafka_partition)
       FROM (SELECT DISTINCT hashtext(kafka_topic) AS topic_key, kafka_partition
               FROM pg_temp.processed_events_batch ORDER BY 1, 2) k;
    -- A message is itself, not its position. A position placed already holds the message placed
    -- there: the same message again (the same fingerprint) is a replay, left to the rules below;
    -- another one (another fingerprint) was written at a reused position by a re-created or rewound
    -- topic, and is never taken for a replay: the statement fails on one line, the same in
    -- place_dead_letters() (so the sink's flush and the job fail, and `flinkfast status` shows it). So does one position twice in the batch
    -- with two fingerprints. A NULL fingerprint on either side is unknown and not checked.
    -- Otherwise the first placement of a position stands: a message at a position placed already
    -- under another uuid (or as a dead letter) is left out, and of one position twice in the batch
    -- under two uuids, one. (Only messages a writer forged can do this; record_places() refuses it.)
    -- (EXECUTE: each statement that joins the batch with a table that grows is planned anew for
    -- the sizes at hand; see "Planned per flush" above.)
    EXECUTE $q$
    WITH left_out AS (
        DELETE FROM pg_temp.processed_events_batch b USING public.event_places e
         WHERE e.kafka_topic = b.kafka_topic AND e.kafka_partition = b.kafka_partition
           AND e.kafka_offset = b.kafka_offset
           AND (e.uuid IS DISTINCT FROM b.uuid OR e.fingerprint <> b.fingerprint)
        RETURNING b.kafka_topic, b.kafka_partition, b.kafka_offset, e.fingerprint <> b.fingerprint AS other)
    SELECT format('%s/%s/%s', kafka_topic, kafka_partition, kafka_offset) FROM left_out WHERE other LIMIT 1
    $q$ INTO clash;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'position % holds another message than the one placed there: the topic was re-created or '
                        'rewound; see `flinkfast new-generation --help`', clash USING ERRCODE = 'unique_violation';
    END IF;
    EXECUTE $q$
    WITH twins AS (
        DELETE FROM pg_temp.processed_events_batch b USING pg_temp.processed_events_batch o
         WHERE o.kafka_topic = b.kafka_topic AND o.kafka_partition = b.kafka_partition
           AND o.kafka_offset = b.kafka_offset AND (o.uuid < b.uuid OR o.fingerprint <> b.fingerprint)
        RETURNING b.kafka_topic, b.kafka_partition, b.kafka_offset, o.fingerprint <> b.fingerprint AS other)
    SELECT format('%s/%s/%s', kafka_topic, kafka_partition, kafka_offset) FROM twins WHERE other LIMIT 1
    $q$ INTO clash;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'position % holds another message than the one placed there: the topic was re-created or '
                        'rewound; see `flinkfast new-generation --help`', clash USING ERRCODE = 'unique_violation';
    END IF;
    SELECT count(*) INTO stashed FROM pg_temp.processed_events_batch;

    EXECUTE $q$
    INSERT INTO public.processed_events AS p
           (uuid, first_name, last_name, country, age, birth_year,
            kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms, fingerprint)
    SELECT DISTINCT ON (b.uuid)
           b.uuid, b.first_name, b.last_name, b.country, b.age, b.birth_year,
           b.kafka_topic, b.kafka_partition, b.kafka_offset, b.kafka_ts_ms, b.flink_ts_ms, b.fingerprint
      FROM pg_temp.processed_events_batch b
     WHERE NOT EXISTS (SELECT 1 FROM public.dead_letter_events d
                        WHERE d.kafka_topic = b.kafka_topic AND d.kafka_partition = b.kafka_partition
                          AND d.kafka_offset = b.kafka_offset)
     ORDER BY b.uuid, b.kafka_ts_ms DESC, b.kafka_partition DESC, b.kafka_offset DESC, b.kafka_topic DESC
        ON CONFLICT (uuid) DO UPDATE
       SET first_name      = EXCLUDED.first_name,
           last_name       = EXCLUDED.last_name,
           country         = EXCLUDED.country,
           age             = EXCLUDED.age,
           birth_year      = EXCLUDED.birth_year,
           kafka_topic     = EXCLUDED.kafka_topic,
           kafka_partition = EXCLUDED.kafka_partition,
           kafka_offset    = EXCLUDED.kafka_offset,
           kafka_ts_ms     = EXCLUDED.kafka_ts_ms,
           flink_ts_ms     = EXCLUDED.flink_ts_ms,
           fingerprint     = EXCLUDED.fingerprint,
           postgres_timestamp = clock_timestamp()      -- the new winner's own insert time
     WHERE (EXCLUDED.kafka_ts_ms, EXCLUDED.kafka_partition, EXCLUDED.kafka_offset, EXCLUDED.kafka_topic)
         > (p.kafka_ts_ms, p.kafka_partition, p.kafka_offset, p.kafka_topic)
    $q$;
    GET DIAGNOSTICS placed = ROW_COUNT;

    -- Every message of the batch won (distinct new uuids, the common case): nothing to supersede
    -- but the rows replaced, which record_changed_hands() records after the statement.
    IF placed < stashed THEN
        -- The rows of these uuids are locked by this transaction now (inserted, updated, or locked
        -- by ON CONFLICT even where not updated), so this reads their final state.
        EXECUTE $q$
        INSERT INTO public.superseded_events (kafka_topic, kafka_partition, kafka_offset, uuid, kafka_ts_ms, fingerprint)
        SELECT b.kafka_topic, b.kafka_partition, b.kafka_offset, b.uuid, b.kafka_ts_ms, b.fingerprint
          FROM pg_temp.processed_events_batch b
          JOIN public.processed_events p ON p.uuid = b.uuid
         WHERE (p.kafka_topic, p.kafka_partition, p.kafka_offset)
               IS DISTINCT FROM (b.kafka_topic, b.kafka_partition, b.kafka_offset)
           AND NOT EXISTS (SELECT 1 FROM public.dead_letter_events d
                            WHERE d.kafka_topic = b.kafka_topic AND d.kafka_partition = b.kafka_partition
                              AND d.kafka_offset = b.kafka_offset)
            ON CONFLICT DO NOTHING
        $q$;
    END IF;

    DELETE FROM pg_temp.processed_events_batch;   -- placed: the next statement starts empty
    RETURN NULL;
END $$;

-- Rows replaced by greater messages: after an UPDATE of processed_events, each position a row left
-- is superseded (under the uuid it held there), and each position a row came to is taken out of
-- superseded_events in case an older version recorded it there by arrival order. Only a row that
-- really changes hands is updated (the upsert's WHERE above). Runs with the rights of whoever
-- updates the table: flinkfast_ingest inside the function above; nobody else but the superuser
-- and the benchmark's peers may update processed_events. After the statement, not before each row
-- (as it did): so a position is never held by two tables at once, even inside the statement, and
-- record_places() can check every statement as it ends. `flinkfast new-generation` turns it off
-- while it renames an old generation's rows (sql/generations/archive.sql): they do not change hands.
DROP TRIGGER IF EXISTS processed_events_superseded ON processed_events;
DROP FUNCTION IF EXISTS public.record_superseded_row();
CREATE OR REPLACE FUNCTION public.record_changed_hands() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_RELID <> 'public.processed_events'::regclass OR TG_LEVEL <> 'STATEMENT' OR TG_WHEN <> 'AFTER'
       OR TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'record_changed_hands() runs only as the AFTER UPDATE statement trigger of public.processed_events';
    END IF;
    PERFORM 1 FROM new_rows LIMIT 1;    -- every flush's upsert fires it, most with no row updated
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    EXECUTE $q$
    INSERT INTO public.superseded_events (kafka_topic, kafka_partition, kafka_offset, uuid, kafka_ts_ms, fingerprint)
    SELECT o.kafka_topic, o.kafka_partition, o.kafka_offset, o.uuid, o.kafka_ts_ms, o.fingerprint
      FROM old_rows o
     WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.kafka_topic = o.kafka_topic
                          AND n.kafka_partition = o.kafka_partition AND n.kafka_offset = o.kafka_offset)
        ON CONFLICT DO NOTHING
    $q$;
    EXECUTE $q$
    DELETE FROM public.superseded_events s USING new_rows n
     WHERE s.kafka_topic = n.kafka_topic AND s.kafka_partition = n.kafka_partition AND s.kafka_offset = n.kafka_offset
       AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.kafka_topic = n.kafka_topic
                          AND o.kafka_partition = n.kafka_partition AND o.kafka_offset = n.kafka_offset)
    $q$;
    RETURN NULL;
END $$;

-- Dead letters: evidence, not something to store whole. The first 64 KiB of the payload and its
-- full size, recorded once per position (a replay leaves the row as it is), and only for a
-- position not placed as a good event already.
CREATE OR REPLACE FUNCTION public.place_dead_letters() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    clash text;
BEGIN
    IF TG_RELID <> 'public.dead_letter_events_in'::regclass OR TG_LEVEL <> 'STATEMENT' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION 'place_dead_letters() runs only as the AFTER statement trigger of public.dead_letter_events_in';
    END IF;
    SELECT format('%s/%s/%s', kafka_topic, kafka_partition, kafka_offset) INTO clash   -- as in place_processed_events()
      FROM pg_temp.dead_letter_events_batch WHERE fingerprint IS NULL LIMIT 1;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'a message without a fingerprint at %: the intake takes only what the job sends', clash
              USING ERRCODE = 'not_null_violation';
    END IF;
    PERFORM pg_advisory_xact_lock(k.topic_key, k.kafka_partition)   -- see place_processed_events()
       FROM (SELECT DISTINCT hashtext(kafka_topic) AS topic_key, kafka_partition
               FROM pg_temp.dead_letter_events_batch ORDER BY 1, 2) k;
    -- Another message at a placed position (or twice in the batch): refused, as in place_processed_events().
    EXECUTE $q$
    SELECT format('%s/%s/%s', b.kafka_topic, b.kafka_partition, b.kafka_offset)
      FROM pg_temp.dead_letter_events_batch b
     WHERE EXISTS (SELECT 1 FROM public.event_places e
                    WHERE e.kafka_topic = b.kafka_topic AND e.kafka_partition = b.kafka_partition
                      AND e.kafka_offset = b.kafka_offset AND e.fingerprint <> b.fingerprint)
        OR EXISTS (SELECT 1 FROM pg_temp.dead_letter_events_batch o
                    WHERE o.kafka_topic = b.kafka_topic AND o.kafka_partition = b.kafka_partition
                      AND o.kafka_offset = b.kafka_offset AND o.fingerprint <> b.fingerprint)
     LIMIT 1
    $q$ INTO clash;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'position % holds another message than the one placed there: the topic was re-created or '
                        'rewound; see `flinkfast new-generation --help`', clash USING ERRCODE = 'unique_violation';
    END IF;
    EXECUTE $q$
    INSERT INTO public.dead_letter_events (kafka_topic, kafka_partition, kafka_offset, reason, payload,
                                           payload_size, kafka_ts_ms, flink_ts_ms, fingerprint)
    SELECT b.kafka_topic, b.kafka_partition, b.kafka_offset, b.reason,
           substring(b.payload FROM 1 FOR 65536), octet_length(b.payload), b.kafka_ts_ms, b.flink_ts_ms, b.fingerprint
      FROM pg_temp.dead_letter_events_batch b
     WHERE NOT EXISTS (SELECT 1 FROM public.event_places e
                        WHERE e.kafka_topic = b.kafka_topic AND e.kafka_partition = b.kafka_partition
                          AND e.kafka_offset = b.kafka_offset)
        ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING
    $q$;
    DELETE FROM pg_temp.dead_letter_events_batch;
    RETURN NULL;
END $$;

-- event_places (001_schema.sql) follows the three tables, whoever writes them (the placing functions,
-- the benchmark's peers, the superuser), and holds them to one place per position: after each
-- statement, its rows' positions are recorded with their table, and checked. Set-based (transition
-- tables), planned for the sizes at hand (EXECUTE; "Planned per flush" at the top):
--   - positions nobody placed yet (the common case: every row of the statement recorded by one
--     INSERT, counted) need no more;
--   - a position recorded already under the same uuid for another table is moved to this one (a
--     row superseded, a winner back from superseded_events), but only if no other table holds it
--     when the statement ends;
--   - any other row (a position recorded under another uuid, or as a dead letter) fails the
--     statement, one line naming the position, with the foreign-key error code: two tables would
--     hold it.
CREATE OR REPLACE FUNCTION public.record_places() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    mine    text;          -- this table's place
    others  text[];        -- the other two tables
    uuid_of text;          -- the uuid a row is placed under (a dead letter has none)
    added   bigint;
    total   bigint;
    clash   text;
BEGIN
    IF TG_RELID NOT IN ('public.processed_events'::regclass, 'public.superseded_events'::regclass,
                        'public.dead_letter_events'::regclass)
       OR TG_LEVEL <> 'STATEMENT' OR TG_WHEN <> 'AFTER' OR TG_NARGS <> 1 OR TG_ARGV[0] <> TG_TABLE_NAME THEN
        RAISE EXCEPTION 'record_places() runs only as the AFTER statement triggers of the three tables';
    END IF;
    mine := CASE TG_TABLE_NAME WHEN 'processed_events' THEN 'processed'
                               WHEN 'superseded_events' THEN 'superseded' ELSE 'dead_letter' END;
    others := array_remove(ARRAY['processed_events', 'superseded_events', 'dead_letter_events'], TG_TABLE_NAME::text);
    uuid_of := CASE WHEN mine = 'dead_letter' THEN 'NULL::text' ELSE 'n.uuid' END;
    -- A statement without rows (every flush's upsert fires the UPDATE triggers): nothing to do.
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM old_rows LIMIT 1;
    ELSE
        PERFORM 1 FROM new_rows LIMIT 1;
    END IF;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    -- The positions rows left: out of event_places if the table no longer holds them when the
    -- statement ends. (Not every old row's: one statement may delete a position and insert it again
    -- -- a data-modifying WITH, whose INSERT's trigger may fire first; found by an attack.)
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        EXECUTE format($q$
        DELETE FROM public.event_places e USING old_rows o
         WHERE e.kafka_topic = o.kafka_topic AND e.kafka_partition = o.kafka_partition
           AND e.kafka_offset = o.kafka_offset AND e.place = o.place
           AND NOT EXISTS (SELECT 1 FROM public.%I x WHERE x.kafka_topic = o.kafka_topic
                              AND x.kafka_partition = o.kafka_partition AND x.kafka_offset = o.kafka_offset)
        $q$, TG_TABLE_NAME);
        IF TG_OP = 'DELETE' THEN
            RETURN NULL;
        END IF;
    END IF;
    -- (Planned once per session and kept: it joins nothing but the arbiter's index.)
    IF mine = 'dead_letter' THEN
        INSERT INTO public.event_places (kafka_topic, kafka_partition, kafka_offset, place, uuid, fingerprint)
        SELECT n.kafka_topic, n.kafka_partition, n.kafka_offset, n.place, NULL, n.fingerprint FROM new_rows n
            ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO public.event_places (kafka_topic, kafka_partition, kafka_offset, place, uuid, fingerprint)
        SELECT n.kafka_topic, n.kafka_partition, n.kafka_offset, n.place, n.uuid, n.fingerprint FROM new_rows n
            ON CONFLICT DO NOTHING;
    END IF;
    GET DIAGNOSTICS added = ROW_COUNT;
    SELECT count(*) INTO total FROM new_rows;
    IF added = total THEN
        RETURN NULL;
    END IF;
    -- (A data-modifying WITH runs whole whatever the LIMIT; the query after it sees event_places
    -- as it was before the move, so a moved position is taken for recorded here.)
    EXECUTE format($q$
        WITH moved AS (
            UPDATE public.event_places e SET place = %1$L
              FROM new_rows n
             WHERE e.kafka_topic = n.kafka_topic AND e.kafka_partition = n.kafka_partition
               AND e.kafka_offset = n.kafka_offset AND e.uuid = %2$s AND e.place <> %1$L
            RETURNING e.kafka_topic, e.kafka_partition, e.kafka_offset)
        SELECT format('%%s/%%s/%%s', n.kafka_topic, n.kafka_partition, n.kafka_offset)
          FROM new_rows n
         WHERE NOT EXISTS (SELECT 1 FROM moved m WHERE m.kafka_topic = n.kafka_topic
                              AND m.kafka_partition = n.kafka_partition AND m.kafka_offset = n.kafka_offset)
           AND NOT EXISTS (SELECT 1 FROM public.event_places e WHERE e.kafka_topic = n.kafka_topic
                              AND e.kafka_partition = n.kafka_partition AND e.kafka_offset = n.kafka_offset
                              AND e.place = %1$L)
        UNION ALL
        SELECT format('%%s/%%s/%%s', m.kafka_topic, m.kafka_partition, m.kafka_offset)
          FROM moved m
         WHERE EXISTS (SELECT 1 FROM public.%3$I x WHERE x.kafka_topic = m.kafka_topic
                          AND x.kafka_partition = m.kafka_partition AND x.kafka_offset = m.kafka_offset)
            OR EXISTS (SELECT 1 FROM public.%4$I x WHERE x.kafka_topic = m.kafka_topic
                          AND x.kafka_partition = m.kafka_partition AND x.kafka_offset = m.kafka_offset)
         LIMIT 1
        $q$, mine, uuid_of, others[1], others[2]) INTO clash;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'position % would be in two tables (% and another): the statement is refused, nothing of it is kept',
                        clash, TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.record_places() OWNER TO flinkfast_ingest;
ALTER FUNCTION public.open_batch() OWNER TO flinkfast_ingest;
ALTER FUNCTION public.place_processed_events() OWNER TO flinkfast_ingest;
ALTER FUNCTION public.place_dead_letters() OWNER TO flinkfast_ingest;
ALTER FUNCTION public.record_changed_hands() OWNER TO flinkfast_ingest;
ALTER FUNCTION public.stash_processed_event() OWNER TO flinkfast_ingest;
ALTER FUNCTION public.stash_dead_letter() OWNER TO flinkfast_ingest;
REVOKE ALL ON FUNCTION public.open_batch(), public.place_processed_events(), public.place_dead_letters(),
                       public.record_changed_hands(), public.stash_processed_event(), public.stash_dead_letter(),
                       public.record_places()
  FROM PUBLIC;

CREATE OR REPLACE TRIGGER processed_events_in_open
    BEFORE INSERT ON processed_events_in
    FOR EACH STATEMENT EXECUTE FUNCTION public.open_batch();
CREATE OR REPLACE TRIGGER processed_events_in_stash
    INSTEAD OF INSERT ON processed_events_in
    FOR EACH ROW EXECUTE FUNCTION public.stash_processed_event();
CREATE OR REPLACE TRIGGER processed_events_in_place
    AFTER INSERT ON processed_events_in
    FOR EACH STATEMENT EXECUTE FUNCTION public.place_processed_events();
CREATE OR REPLACE TRIGGER dead_letter_events_in_open
    BEFORE INSERT ON dead_letter_events_in
    FOR EACH STATEMENT EXECUTE FUNCTION public.open_batch();
CREATE OR REPLACE TRIGGER dead_letter_events_in_stash
    INSTEAD OF INSERT ON dead_letter_events_in
    FOR EACH ROW EXECUTE FUNCTION public.stash_dead_letter();
CREATE OR REPLACE TRIGGER dead_letter_events_in_place
    AFTER INSERT ON dead_letter_events_in
    FOR EACH STATEMENT EXECUTE FUNCTION public.place_dead_letters();
-- (AFTER statement triggers of one event fire in the order of their names: processed_events_changed_hands
-- before processed_events_places_update, so the check sees the superseded rows recorded.)
CREATE OR REPLACE TRIGGER processed_events_changed_hands
    AFTER UPDATE ON processed_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_changed_hands();

CREATE OR REPLACE TRIGGER processed_events_places_insert
    AFTER INSERT ON processed_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('processed_events');
CREATE OR REPLACE TRIGGER processed_events_places_update
    AFTER UPDATE ON processed_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('processed_events');
CREATE OR REPLACE TRIGGER processed_events_places_delete
    AFTER DELETE ON processed_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('processed_events');
CREATE OR REPLACE TRIGGER superseded_events_places_insert
    AFTER INSERT ON superseded_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('superseded_events');
CREATE OR REPLACE TRIGGER superseded_events_places_update
    AFTER UPDATE ON superseded_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('superseded_events');
CREATE OR REPLACE TRIGGER superseded_events_places_delete
    AFTER DELETE ON superseded_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('superseded_events');
CREATE OR REPLACE TRIGGER dead_letter_events_places_insert
    AFTER INSERT ON dead_letter_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('dead_letter_events');
CREATE OR REPLACE TRIGGER dead_letter_events_places_update
    AFTER UPDATE ON dead_letter_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('dead_letter_events');
CREATE OR REPLACE TRIGGER dead_letter_events_places_delete
    AFTER DELETE ON dead_letter_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.record_places('dead_letter_events');

-- The writer inserts into the two views (and topic_generations_in, below) and nothing else.
REVOKE ALL ON processed_events_in, dead_letter_events_in FROM PUBLIC;
SELECT format('GRANT INSERT ON processed_events_in, dead_letter_events_in TO %I', :'writer_user') \gexec

-- A topic's generation, checked by the job's own client where it holds no other password than the
-- writer's (compose's and Kubernetes' JobManager: flinkfast_job.py; `flinkfast submit` checks as
-- the owner, flinkfast/topics/generations.py). The client inserts (topic, Kafka's topic id) into
-- topic_generations_in: the first time, generation 1 is recorded; the current generation's id
-- passes; another id is refused on one line (the topic was re-created: `flinkfast new-generation`).
-- The writer reads nothing through it and changes no recorded generation: with its password, the
-- most one can do is record a wrong first id for a topic nobody submitted yet, which the next
-- submit refuses and `new-generation` replaces (docs/security.md).
CREATE OR REPLACE VIEW topic_generations_in AS
SELECT NULL::text AS kafka_topic,
       NULL::text AS topic_id
 WHERE false;

CREATE OR REPLACE FUNCTION public.check_generation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    current_id TEXT;
BEGIN
    IF TG_RELID <> 'public.topic_generations_in'::regclass OR TG_LEVEL <> 'ROW' OR TG_WHEN <> 'INSTEAD OF' THEN
        RAISE EXCEPTION 'check_generation() runs only as the INSTEAD OF trigger of topic_generations_in';
    END IF;
    IF NEW.kafka_topic IS NULL OR NEW.topic_id IS NULL OR NEW.kafka_topic LIKE '%~%' THEN
        RAISE EXCEPTION 'topic_generations_in takes a topic''s name and Kafka''s id for it' USING ERRCODE = 'check_violation';
    END IF;
    -- Nothing is inserted once the topic has a generation, whichever.
    INSERT INTO public.topic_generations (kafka_topic, generation, topic_id)
    SELECT NEW.kafka_topic, 1, NEW.topic_id
     WHERE NOT EXISTS (SELECT 1 FROM public.topic_generations g WHERE g.kafka_topic = NEW.kafka_topic)
        ON CONFLICT (kafka_topic, generation) DO NOTHING;
    SELECT topic_id INTO current_id
      FROM public.topic_generations WHERE kafka_topic = NEW.kafka_topic AND archived_at IS NULL;
    -- The refusal names neither the recorded id nor the generation: the writer reads nothing.
    IF current_id IS DISTINCT FROM NEW.topic_id THEN
        RAISE EXCEPTION 'topic % was re-created: Kafka''s topic id % is not the one recorded for its current '
                        'generation; its offsets started again at 0, so its messages would meet the old '
                        'generation''s rows at their positions: run `flinkfast new-generation` to archive them and go on',
                        NEW.kafka_topic, NEW.topic_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.check_generation() OWNER TO flinkfast_ingest;
REVOKE ALL ON FUNCTION public.check_generation() FROM PUBLIC;
GRANT SELECT, INSERT ON topic_generations TO flinkfast_ingest;
CREATE OR REPLACE TRIGGER topic_generations_in_check
    INSTEAD OF INSERT ON topic_generations_in
    FOR EACH ROW EXECUTE FUNCTION public.check_generation();
REVOKE ALL ON topic_generations_in FROM PUBLIC;
SELECT format('GRANT INSERT ON topic_generations_in TO %I', :'writer_user') \gexec
