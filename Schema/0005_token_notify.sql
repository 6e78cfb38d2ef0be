-- 0005: a token revoked (or removed) is announced on the channel zhengshe_tokens, with its hash in
-- hex, when the change commits: every serve process clears it from its token cache at once.
CREATE FUNCTION notify_token_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zhengshe_tokens', encode(OLD.token_hash, 'hex'));
    RETURN NULL;
END
$$;

CREATE TRIGGER api_tokens_changed AFTER UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION notify_token_change();
