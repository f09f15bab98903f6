-- Bearer tokens for the broker's API. The SQLite twin of this file is migrations/sqlite/0003_tokens.sql;
-- keep them in step.
-- A token is shown once, when it is created; only the hex SHA-256 of its text is kept (tokens are 256
-- random bits, so a fast hash is enough). Rows are never deleted: revoking sets revoked_at, and the
-- broker requires tokens for as long as any row exists, so revoking every token locks the broker
-- instead of opening it.

CREATE TABLE tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- A label people choose; revoke and list by it.
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('read', 'publish', 'admin')),
    secret_hash  TEXT NOT NULL UNIQUE,
    -- The first characters of the token, for people to tell tokens apart; not enough to use one.
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    -- Updated at most once a minute per token, after the request it records.
    last_used_at TIMESTAMPTZ
);

-- The services a publish token may write for; none means every service. Names, not ids: a CI token
-- is often created before its service's first publish.
CREATE TABLE token_services (
    token_id BIGINT NOT NULL REFERENCES tokens (id),
    service  TEXT NOT NULL,
    PRIMARY KEY (token_id, service)
);
