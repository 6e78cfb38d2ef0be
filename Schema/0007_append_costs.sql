-- 0007: what an append costs the database, found with perf (`zhengshe-bench store`, 32 clients).
--
-- 1. The same rules for stream names and event types, checked without counted repetition.
--    PostgreSQL's regular expressions expand a bound such as {0,199} into that many states, and
--    running them took a fifth of the database's time on an append (textregexeq under
--    ExecConstraints). The lengths are now checked apart; what is accepted is unchanged: a
--    category, a dash and an id of 1 to 200 characters; a type of 1 to 100.
--
-- 2. The append functions never scan the log. Their statements are planned once per session and
--    the plan kept; a plan made while `events` was small (a new database, before autovacuum's
--    first ANALYZE) read every event to look up a batch's ids (`event_id = ANY (…)`, a hash join
--    in append_events), and kept doing so as the log grew: 4,927 sequential scans of `events` in
--    8 s of appends in a new database, 24 million rows read. Every statement of these functions
--    is a keyed lookup, so sequential scans are off inside them.

ALTER TABLE streams DROP CONSTRAINT streams_stream_id_check;
ALTER TABLE streams ADD CONSTRAINT streams_stream_id_check CHECK (
    stream_id ~ '^[a-z][a-z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$'
    AND char_length(stream_id) - position('-' IN stream_id) <= 200
);

ALTER TABLE events DROP CONSTRAINT events_event_type_check;
ALTER TABLE events ADD CONSTRAINT events_event_type_check CHECK (
    event_type ~ '^[A-Za-z][A-Za-z0-9.]*$' AND char_length(event_type) <= 100
);

ALTER FUNCTION append_events_unlocked(text, text, bigint, uuid[], text[], timestamptz[], jsonb[], jsonb[])
    SET enable_seqscan = off;
ALTER FUNCTION append_batch(text[], text[], bigint[], int[], uuid[], text[], timestamptz[], jsonb[], jsonb[])
    SET enable_seqscan = off;
