-- 0004: a barrier in the log (定稿屏障).
--
-- A finalized evaluation counts exactly the events recorded before its finalization, and must
-- count the same ones whenever it is read again. recorded_at is this database's clock at the
-- append, and the COMMIT comes a moment later, so without more an append that took its time
-- before the finalization's could still commit after it, and join the figures only on a later
-- reading.
--
-- So every append takes the log's ROW EXCLUSIVE lock before it reads the clock (and before it
-- locks its stream's row, so that locks are always taken in the same order), and an append that
-- must be a barrier (the store's `barrier:` flag) first takes SHARE ROW EXCLUSIVE, which waits
-- for every append in flight to end and holds back new ones until it commits. Whatever was
-- recorded before a barrier then committed before it, and whatever commits after it was
-- recorded after it. Ordinary appends do not conflict with each other: ROW EXCLUSIVE is shared.

ALTER FUNCTION append_events(text, text, bigint, uuid[], text[], timestamptz[], jsonb[], jsonb[])
    RENAME TO append_events_unlocked;

CREATE FUNCTION append_events(
    p_stream_id        text,
    p_expected         text,
    p_expected_version bigint,
    p_event_ids        uuid[],
    p_event_types      text[],
    p_occurred_at      timestamptz[],
    p_data             jsonb[],
    p_metadata         jsonb[]
) RETURNS TABLE (
    event_id        uuid,
    stream_version  bigint,
    global_position bigint,
    transaction_id  text,
    recorded_at     timestamptz,
    hash            bytea,
    replayed        boolean
)
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE events IN ROW EXCLUSIVE MODE;
    RETURN QUERY SELECT * FROM append_events_unlocked(
        p_stream_id, p_expected, p_expected_version, p_event_ids, p_event_types, p_occurred_at, p_data, p_metadata);
END
$$;

COMMENT ON FUNCTION append_events(text, text, bigint, uuid[], text[], timestamptz[], jsonb[], jsonb[]) IS
    'Appends events to one stream atomically (see append_events_unlocked in 0001), after taking the log''s ROW EXCLUSIVE lock so that a barrier (SHARE ROW EXCLUSIVE) orders it.';
