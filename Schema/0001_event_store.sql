-- 0001: the event store.
--
-- Every agreement, district list and catalogue is a stream of events. The log is append-only
-- (enforced here, by triggers), hash-chained per stream (tamper-evident), and carries two times
-- per event: when it happened in the world (occurred_at, given by the filer) and when it was
-- recorded (recorded_at, this database's clock).

-- One row per stream: its current version and the hash of its last event. Appends lock this
-- row, so appends to one stream are serialized and appends to different streams are not.
CREATE TABLE streams (
    stream_id   text PRIMARY KEY
                CHECK (stream_id ~ '^[a-z][a-z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$'),
    category    text GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED,
    version     bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
    last_hash   bytea,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX streams_by_category ON streams (category, stream_id);

CREATE TABLE events (
    -- Position in the global log. Handed out by a sequence before commit, so it is NOT a safe
    -- reading order on its own: see read_all below.
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction. Readers of the global log order by (transaction_id,
    -- global_position) and stop below the oldest transaction still in flight.
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text NOT NULL,
    stream_version  bigint NOT NULL CHECK (stream_version >= 1),
    event_id        uuid NOT NULL,
    event_type      text NOT NULL CHECK (event_type ~ '^[A-Za-z][A-Za-z0-9.]{0,99}$'),
    data            jsonb NOT NULL,
    metadata        jsonb NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    previous_hash   bytea,
    hash            bytea NOT NULL CHECK (octet_length(hash) = 32),
    CONSTRAINT events_event_id_unique UNIQUE (event_id),
    CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_global_order ON events (transaction_id, global_position);

COMMENT ON TABLE events IS 'Append-only, hash-chained event log (事件日志). UPDATE, DELETE and TRUNCATE are rejected.';
COMMENT ON COLUMN events.occurred_at IS 'Business time: when it happened, as filed.';
COMMENT ON COLUMN events.recorded_at IS 'Audit time: when this database recorded it.';

-- The log is append-only in the database itself, not just by convention of the code.
CREATE FUNCTION reject_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'ZS003',
        MESSAGE = format('the event log is append-only: %s on %s is not allowed', TG_OP, TG_TABLE_NAME);
END
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION reject_event_change();

-- Microseconds since the Unix epoch, as text: the one form of a time that the hash covers.
CREATE FUNCTION epoch_micros(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (extract(epoch FROM t) * 1000000)::bigint::text
$$;

-- The hash of one event: SHA-256 over the previous event's hash in the stream (nothing for the
-- first) followed by the event's canonical content, one field a line. jsonb's text form is
-- canonical (keys ordered, no insignificant white space), so the same content always hashes
-- alike. `zhengshe verify` recomputes this in Swift, independently of this function.
CREATE FUNCTION event_hash(
    previous bytea, stream_id text, stream_version bigint, event_id uuid, event_type text,
    occurred_at timestamptz, recorded_at timestamptz, data jsonb, metadata jsonb
) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(coalesce(previous, ''::bytea) || convert_to(concat_ws(E'\n',
        'zhengshe-event-v1', stream_id, stream_version::text, event_id::text, event_type,
        epoch_micros(occurred_at), epoch_micros(recorded_at), data::text, metadata::text), 'UTF8'))
$$;

-- Appends events to one stream atomically, in one round trip.
--
-- expected: 'any', 'no_stream' (the stream has no events yet) or 'exact' (it has exactly
-- expected_version events). Retrying with event ids already recorded, with the same content
-- (stream, type, occurred_at, data), returns the original rows with replayed = true and writes
-- nothing; the same ids with other content is an idempotency conflict.
--
-- Errors (SQLSTATE, DETAIL is JSON):
--   ZS001 wrong expected version   {"stream", "expected", "actual"}
--   ZS002 idempotency conflict     {"stream", "eventId"}
--   ZS004 empty append             {"stream"}
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
#variable_conflict use_column
DECLARE
    v_count    int := coalesce(cardinality(p_event_ids), 0);
    v_version  bigint;
    v_hash     bytea;
    v_now      timestamptz;
    v_existing int;
    v_matching int;
    v_conflict uuid;
    r          record;
BEGIN
    IF v_count = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'ZS004', MESSAGE = 'an append needs at least one event',
            DETAIL = jsonb_build_object('stream', p_stream_id)::text;
    END IF;

    SELECT s.version, s.last_hash INTO v_version, v_hash
      FROM streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO streams AS s (stream_id) VALUES (p_stream_id) ON CONFLICT DO NOTHING;
        SELECT s.version, s.last_hash INTO v_version, v_hash
          FROM streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
    END IF;

    -- Idempotency first: a retry of a committed append must not read as a version conflict.
    SELECT count(*),
           count(*) FILTER (WHERE e.stream_id = p_stream_id AND e.event_type = n.event_type
                              AND e.occurred_at = n.occurred_at AND e.data = n.data),
           min(e.event_id::text) FILTER (WHERE NOT (e.stream_id = p_stream_id AND e.event_type = n.event_type
                              AND e.occurred_at = n.occurred_at AND e.data = n.data))::uuid
      INTO v_existing, v_matching, v_conflict
      FROM unnest(p_event_ids, p_event_types, p_occurred_at, p_data)
               AS n(event_id, event_type, occurred_at, data)
      JOIN events e ON e.event_id = n.event_id;

    IF v_existing > 0 THEN
        IF v_existing = v_count AND v_matching = v_count THEN
            RETURN QUERY
                SELECT e.event_id, e.stream_version, e.global_position, e.transaction_id::text,
                       e.recorded_at, e.hash, true
                  FROM events e WHERE e.event_id = ANY (p_event_ids)
                 ORDER BY e.stream_version;
            RETURN;
        END IF;
        IF v_conflict IS NULL THEN
            -- Every recorded id matches, but the batch is not the same batch.
            SELECT n.event_id INTO v_conflict
              FROM unnest(p_event_ids) AS n(event_id)
              JOIN events e ON e.event_id = n.event_id LIMIT 1;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'ZS002',
            MESSAGE = format('event %s was already recorded with other content', v_conflict),
            DETAIL = jsonb_build_object('stream', p_stream_id, 'eventId', v_conflict)::text;
    END IF;

    IF (p_expected = 'no_stream' AND v_version <> 0)
       OR (p_expected = 'exact' AND v_version <> p_expected_version) THEN
        RAISE EXCEPTION USING ERRCODE = 'ZS001',
            MESSAGE = format('stream %s is at version %s, not the expected %s', p_stream_id, v_version,
                             CASE p_expected WHEN 'exact' THEN p_expected_version::text ELSE p_expected END),
            DETAIL = jsonb_build_object('stream', p_stream_id,
                                        'expected', CASE p_expected WHEN 'exact' THEN to_jsonb(p_expected_version)
                                                                    ELSE to_jsonb(p_expected) END,
                                        'actual', v_version)::text;
    END IF;

    v_now := clock_timestamp();
    FOR r IN
        SELECT n.event_id, n.event_type, n.occurred_at, n.data, n.metadata
          FROM unnest(p_event_ids, p_event_types, p_occurred_at, p_data, p_metadata)
                   WITH ORDINALITY AS n(event_id, event_type, occurred_at, data, metadata, ordinal)
         ORDER BY n.ordinal
    LOOP
        v_version := v_version + 1;
        event_id := r.event_id;
        stream_version := v_version;
        recorded_at := v_now;
        hash := event_hash(v_hash, p_stream_id, v_version, r.event_id, r.event_type,
                           r.occurred_at, v_now, r.data, r.metadata);
        replayed := false;
        INSERT INTO events AS e (stream_id, stream_version, event_id, event_type, data, metadata,
                                 occurred_at, recorded_at, previous_hash, hash)
             VALUES (p_stream_id, v_version, r.event_id, r.event_type, r.data, r.metadata,
                     r.occurred_at, v_now, v_hash, hash)
          RETURNING e.global_position, e.transaction_id::text INTO global_position, transaction_id;
        v_hash := hash;
        RETURN NEXT;
    END LOOP;

    UPDATE streams s SET version = v_version, last_hash = v_hash, updated_at = v_now
     WHERE s.stream_id = p_stream_id;
END
$$;
