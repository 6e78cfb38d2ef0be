-- 0006: appends in batches (成组提交, group commit), set-based.
--
-- append_batch records several appends, to one stream or to many, in the caller's transaction:
-- one round trip, one COMMIT and one WAL flush for all of them. Each append keeps every rule of
-- append_events (0001, 0004): the log's ROW EXCLUSIVE lock before the clock is read, the stream's
-- row locked, idempotency before the expected version, the hash chain. What it does not do is
-- raise: one append's conflict must not undo its neighbours, so each append gets an outcome.
--
--   appended              one row per event, as recorded
--   replayed              every event id was recorded before with the same content: one row per
--                         recorded event, nothing written
--   wrong_version         actual_version says where the stream is; nothing written
--   idempotency_conflict  conflict_event names an id recorded before with other content
--
-- Appends are taken in the order given, so two appends to one stream in one batch behave as if
-- made one after the other (the second's expected version sees the first's events). Existing
-- stream rows are locked in stream-name order, the one order every batch uses; a batch that
-- creates streams locks those after. Two batches from different processes that create and use the
-- same streams at once can still wait on each other in a cycle: PostgreSQL ends one of them
-- (40P01), and its appends are then made one at a time. In one process it cannot happen, as a
-- stream is never in two batches at once.
--
-- Set-based: the idempotency check is one query (two when an id is found), the stream rows one
-- query (three when a stream is new), the events one INSERT and the stream rows one UPDATE,
-- whatever the batch's size. Only the hash chain, a running
-- fold within each stream, is computed in a loop, in memory.
--
-- An error raised here (a CHECK on a malformed stream name or event type, two appends racing for
-- one new event id) fails the whole batch: the caller then makes its appends one at a time, so
-- that the error reaches only the append that caused it.

CREATE FUNCTION append_batch(
    p_streams           text[],         -- one per append
    p_expected          text[],         -- 'any', 'no_stream' or 'exact', one per append
    p_expected_versions bigint[],       -- one per append (read when 'exact')
    p_counts            int[],          -- how many of the events below are each append's, in order
    p_event_ids         uuid[],         -- every append's events, one append after the other
    p_event_types       text[],
    p_occurred_at       timestamptz[],
    p_data              jsonb[],
    p_metadata          jsonb[]
) RETURNS TABLE (
    append_index    int,
    outcome         text,
    actual_version  bigint,
    conflict_event  uuid,
    event_id        uuid,
    stream_version  bigint,
    global_position bigint,
    transaction_id  text,
    recorded_at     timestamptz,
    hash            bytea
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_appends   int := coalesce(cardinality(p_streams), 0);
    v_events    int := coalesce(cardinality(p_event_ids), 0);
    v_owner     int[] := '{}';      -- per event: its append
    v_first     int[] := '{}';      -- per append: its first event
    v_names     text[];             -- the batch's streams, sorted, once each
    v_versions  bigint[];           -- per stream: its version, as the batch goes
    v_hashes    bytea[];            -- per stream: its last hash, as the batch goes
    v_touched   boolean[];
    v_created   text[] := '{}';
    v_missing   boolean;
    v_existing  int[];              -- per append: how many of its ids are recorded
    v_matching  int[];              -- ... with the same content
    v_conflict  uuid[];             -- ... one recorded with other content
    v_replayed  boolean[];
    v_now       timestamptz;
    v_stream    int;
    v_version   bigint;
    v_hash      bytea;
    v_index     int := 0;
    -- the rows to insert
    i_append    int[] := '{}';
    i_streams   text[] := '{}';
    i_versions  bigint[] := '{}';
    i_ids       uuid[] := '{}';
    i_types     text[] := '{}';
    i_occurred  timestamptz[] := '{}';
    i_data      jsonb[] := '{}';
    i_metadata  jsonb[] := '{}';
    i_previous  bytea[] := '{}';
    i_hashes    bytea[] := '{}';
BEGIN
    IF v_appends = 0 THEN RETURN; END IF;
    IF cardinality(p_expected) IS DISTINCT FROM v_appends
       OR cardinality(p_expected_versions) IS DISTINCT FROM v_appends
       OR cardinality(p_counts) IS DISTINCT FROM v_appends
       OR cardinality(p_event_types) IS DISTINCT FROM v_events
       OR cardinality(p_occurred_at) IS DISTINCT FROM v_events
       OR cardinality(p_data) IS DISTINCT FROM v_events
       OR cardinality(p_metadata) IS DISTINCT FROM v_events THEN
        RAISE EXCEPTION USING ERRCODE = 'ZS004', MESSAGE = 'append_batch: the arrays must agree in length';
    END IF;
    FOR a IN 1..v_appends LOOP
        IF p_counts[a] IS NULL OR p_counts[a] < 1 OR v_index + p_counts[a] > v_events THEN
            RAISE EXCEPTION USING ERRCODE = 'ZS004', MESSAGE = 'append_batch: every append needs at least one event, and the counts must add up';
        END IF;
        v_first[a] := v_index + 1;
        FOR j IN 1..p_counts[a] LOOP
            v_index := v_index + 1;
            v_owner[v_index] := a;
        END LOOP;
    END LOOP;
    IF v_index <> v_events THEN
        RAISE EXCEPTION USING ERRCODE = 'ZS004', MESSAGE = 'append_batch: the counts must add up to the events';
    END IF;

    LOCK TABLE events IN ROW EXCLUSIVE MODE;

    -- The streams' rows, locked in name order; new streams get theirs first (and a batch whose
    -- append to a new stream ends up not written removes it again below).
    SELECT array_agg(l.stream_id ORDER BY l.stream_id), array_agg(l.version ORDER BY l.stream_id),
           array_agg(l.last_hash ORDER BY l.stream_id)
      INTO v_names, v_versions, v_hashes
      FROM (SELECT s.stream_id, s.version, s.last_hash FROM streams s
             WHERE s.stream_id = ANY (p_streams) ORDER BY s.stream_id FOR UPDATE) AS l;
    v_missing := false;
    FOR a IN 1..v_appends LOOP
        IF NOT coalesce(p_streams[a] = ANY (v_names), false) THEN v_missing := true; END IF;
    END LOOP;
    IF v_missing THEN
        WITH created AS (
            INSERT INTO streams AS st (stream_id)
            SELECT DISTINCT s FROM unnest(p_streams) AS s
             WHERE s <> ALL (coalesce(v_names, '{}'))
             ORDER BY s
            ON CONFLICT DO NOTHING
            RETURNING st.stream_id
        )
        SELECT coalesce(array_agg(c.stream_id), '{}') INTO v_created FROM created c;
        SELECT array_agg(l.stream_id ORDER BY l.stream_id), array_agg(l.version ORDER BY l.stream_id),
               array_agg(l.last_hash ORDER BY l.stream_id)
          INTO v_names, v_versions, v_hashes
          FROM (SELECT s.stream_id, s.version, s.last_hash FROM streams s
                 WHERE s.stream_id = ANY (p_streams) ORDER BY s.stream_id FOR UPDATE) AS l;
    END IF;
    v_touched := array_fill(false, ARRAY[cardinality(v_names)]);

    -- Idempotency first, after the locks: a retry of a committed append must not read as a
    -- version conflict, and a retry waiting on its first attempt's lock sees it committed.
    IF EXISTS (SELECT FROM events e WHERE e.event_id = ANY (p_event_ids)) THEN
        SELECT array_agg(coalesce(x.existing, 0) ORDER BY a.i),
               array_agg(coalesce(x.matching, 0) ORDER BY a.i),
               array_agg(x.conflict ORDER BY a.i)
          INTO v_existing, v_matching, v_conflict
          FROM generate_series(1, v_appends) AS a(i)
          LEFT JOIN (
              SELECT n.owner,
                     count(*) AS existing,
                     count(*) FILTER (WHERE n.same) AS matching,
                     coalesce(min(n.event_id::text) FILTER (WHERE NOT n.same), min(n.event_id::text))::uuid AS conflict
                FROM (SELECT o.owner, e.event_id,
                             (e.stream_id = p_streams[o.owner] AND e.event_type = o.event_type
                              AND e.occurred_at = o.occurred_at AND e.data = o.data) AS same
                        FROM unnest(p_event_ids, v_owner, p_event_types, p_occurred_at, p_data)
                                 AS o(event_id, owner, event_type, occurred_at, data)
                        JOIN events e ON e.event_id = o.event_id) AS n
               GROUP BY n.owner
          ) AS x ON x.owner = a.i;
    ELSE
        v_existing := array_fill(0, ARRAY[v_appends]);
    END IF;

    v_replayed := array_fill(false, ARRAY[v_appends]);
    v_now := clock_timestamp();

    FOR a IN 1..v_appends LOOP
        v_stream := array_position(v_names, p_streams[a]);
        v_version := v_versions[v_stream];
        IF v_existing[a] > 0 THEN
            IF v_existing[a] = p_counts[a] AND v_matching[a] = p_counts[a] THEN
                v_replayed[a] := true;
            ELSE
                RETURN QUERY SELECT a, 'idempotency_conflict'::text, v_version, v_conflict[a],
                                    NULL::uuid, NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz, NULL::bytea;
            END IF;
        ELSIF (p_expected[a] = 'no_stream' AND v_version <> 0)
              OR (p_expected[a] = 'exact' AND v_version <> p_expected_versions[a]) THEN
            RETURN QUERY SELECT a, 'wrong_version'::text, v_version, NULL::uuid,
                                NULL::uuid, NULL::bigint, NULL::bigint, NULL::text, NULL::timestamptz, NULL::bytea;
        ELSE
            v_hash := v_hashes[v_stream];
            FOR k IN v_first[a]..v_first[a] + p_counts[a] - 1 LOOP
                v_version := v_version + 1;
                i_append := i_append || a;
                i_streams := i_streams || p_streams[a];
                i_versions := i_versions || v_version;
                i_ids := i_ids || p_event_ids[k];
                i_types := i_types || p_event_types[k];
                i_occurred := i_occurred || p_occurred_at[k];
                i_data := i_data || p_data[k];
                i_metadata := i_metadata || p_metadata[k];
                i_previous := i_previous || v_hash;
                v_hash := event_hash(v_hash, p_streams[a], v_version, p_event_ids[k], p_event_types[k],
                                     p_occurred_at[k], v_now, p_data[k], p_metadata[k]);
                i_hashes := i_hashes || v_hash;
            END LOOP;
            v_versions[v_stream] := v_version;
            v_hashes[v_stream] := v_hash;
            v_touched[v_stream] := true;
        END IF;
    END LOOP;

    IF cardinality(i_ids) > 0 THEN
        RETURN QUERY
        WITH inserted AS (
            INSERT INTO events AS e (stream_id, stream_version, event_id, event_type, data, metadata,
                                     occurred_at, recorded_at, previous_hash, hash)
            SELECT n.stream_id, n.stream_version, n.event_id, n.event_type, n.data, n.metadata,
                   n.occurred_at, v_now, n.previous_hash, n.hash
              FROM unnest(i_streams, i_versions, i_ids, i_types, i_data, i_metadata, i_occurred, i_previous, i_hashes)
                       AS n(stream_id, stream_version, event_id, event_type, data, metadata, occurred_at, previous_hash, hash)
            RETURNING e.event_id, e.stream_version, e.global_position, e.transaction_id::text AS transaction_text,
                      e.recorded_at, e.hash
        )
        SELECT o.append_index, 'appended'::text, NULL::bigint, NULL::uuid,
               i.event_id, i.stream_version, i.global_position, i.transaction_text, i.recorded_at, i.hash
          FROM inserted i
          JOIN unnest(i_ids, i_append) AS o(event_id, append_index) ON o.event_id = i.event_id;

        UPDATE streams s SET version = u.version, last_hash = u.last_hash, updated_at = v_now
          FROM unnest(v_names, v_versions, v_hashes, v_touched) AS u(stream_id, version, last_hash, touched)
         WHERE u.touched AND s.stream_id = u.stream_id;
    END IF;

    IF cardinality(v_created) > 0
       AND EXISTS (SELECT FROM unnest(v_names, v_touched) AS u(stream_id, touched) WHERE NOT u.touched AND u.stream_id = ANY (v_created)) THEN
        DELETE FROM streams s WHERE s.stream_id = ANY (v_created) AND s.version = 0;
    END IF;

    IF true = ANY (v_replayed) THEN
        RETURN QUERY
        SELECT o.owner, 'replayed'::text, NULL::bigint, NULL::uuid,
               e.event_id, e.stream_version, e.global_position, e.transaction_id::text, e.recorded_at, e.hash
          FROM unnest(p_event_ids, v_owner) AS o(event_id, owner)
          JOIN events e ON e.event_id = o.event_id
         WHERE v_replayed[o.owner];
    END IF;
END
$$;

COMMENT ON FUNCTION append_batch(text[], text[], bigint[], int[], uuid[], text[], timestamptz[], jsonb[], jsonb[]) IS
    'Appends in a batch (group commit): each append checked on its own, an outcome per append, no exception for a conflict (see Schema/0006).';
