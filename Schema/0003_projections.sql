-- 0003: projections (投影). A projection turns the global log into read tables of its own. Each
-- build of a projection is a generation with its own schema (projection_<name>_<n>) and its own
-- checkpoint; queries read the live generation through stable views in the schema `projections`,
-- so a rebuild fills a new generation while the old one keeps answering, and the switch is one
-- transaction that repoints the views.
CREATE SCHEMA projections;

CREATE TABLE projection_generations (
    projection      text        NOT NULL CHECK (projection ~ '^[a-z][a-z0-9_]*$'),
    generation      integer     NOT NULL CHECK (generation > 0),
    -- The projection code's version that built it: a new version is rebuilt from the first event.
    version         integer     NOT NULL,
    schema_name     text        NOT NULL UNIQUE CHECK (schema_name ~ '^projection_[a-z][a-z0-9_]*_[0-9]+$'),
    status          text        NOT NULL CHECK (status IN ('building', 'live')),
    -- The checkpoint: the last event applied, as the global reader's (transaction id, position) pair.
    transaction_id  xid8        NOT NULL DEFAULT '0',
    global_position bigint      NOT NULL DEFAULT 0,
    events_applied  bigint      NOT NULL DEFAULT 0,
    -- The event it stopped at and why; cleared when it moves on.
    last_error      text,
    runner          text,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (projection, generation)
);

CREATE UNIQUE INDEX projection_generations_one_live ON projection_generations (projection) WHERE status = 'live';
CREATE UNIQUE INDEX projection_generations_one_building ON projection_generations (projection) WHERE status = 'building';

COMMENT ON TABLE projection_generations IS 'Generations of each projection (投影) with their checkpoints; the live one answers queries through the views in schema projections.';
