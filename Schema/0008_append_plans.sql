-- 0008: an append plans nothing, once its session has made it once (found with perf on the
-- database during `zhengshe-bench store --clients 1`: parsing and planning were a third of the
-- database's time on an append).
--
-- 1. The hash functions are inlined into the statements that call them. A SQL function that is
--    not inlined is parsed and planned again on every call in a new transaction (fmgr_sql), and
--    PostgreSQL inlines one only if its body is no more volatile than it is declared: concat_ws
--    and extract on a timestamptz are STABLE, so the IMMUTABLE hash functions never were. They
--    are declared STABLE, which is true of them all the same (nothing they read changes within
--    a statement; in fact nothing at all: every value is written out in a fixed form), and their
--    bodies are unchanged, so every hash comes out as before.
--
-- 2. The append functions keep one generic plan per statement. PL/pgSQL's statements take
--    parameters, and PostgreSQL plans them anew for each call for as long as it judges a custom
--    plan cheaper (here: for ever, as the arrays' sizes are unknown to a generic plan). Every
--    statement in them is a keyed lookup or a write by key (0007 keeps them off sequential scans),
--    so the generic plan is the plan.

ALTER FUNCTION epoch_micros(timestamptz) STABLE;
ALTER FUNCTION event_hash(bytea, text, bigint, uuid, text, timestamptz, timestamptz, jsonb, jsonb) STABLE;

ALTER FUNCTION append_events(text, text, bigint, uuid[], text[], timestamptz[], jsonb[], jsonb[])
    SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION append_events_unlocked(text, text, bigint, uuid[], text[], timestamptz[], jsonb[], jsonb[])
    SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION append_batch(text[], text[], bigint[], int[], uuid[], text[], timestamptz[], jsonb[], jsonb[])
    SET plan_cache_mode = force_generic_plan;
