-- 0002: bearer tokens. Each is bound to a role and a party code; only its SHA-256 is kept.
CREATE TABLE api_tokens (
    token_id    uuid PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    role        text NOT NULL CHECK (role IN ('government', 'committee', 'district', 'evaluator', 'admin')),
    party       text NOT NULL DEFAULT '' CHECK (party ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12})?$'),
    -- An evaluator is bound to a district and a year.
    year        integer,
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    revoked_at  timestamptz,
    CHECK (role <> 'government' OR party ~ '^[0-9]{9}$'),
    CHECK (role <> 'committee' OR party ~ '^[0-9]{12}$'),
    CHECK (role NOT IN ('district', 'evaluator') OR party ~ '^[0-9]{6}$'),
    CHECK (role <> 'evaluator' OR year IS NOT NULL),
    CHECK (role <> 'admin' OR party = '')
);

COMMENT ON TABLE api_tokens IS 'Bearer tokens (访问令牌): only hashes are stored; a token is shown once when created.';
