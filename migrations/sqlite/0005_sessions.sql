-- Sign-in sessions of the web pages. A session stands for the token it was signed in with: it
-- ends when it is signed out (the row is deleted), when it expires, or when that token is revoked
-- or expires (checked on every request through the join). The cookie's value is never stored,
-- only its SHA-256, like a token's.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    token_id    INTEGER NOT NULL REFERENCES tokens (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_by_token ON sessions (token_id);
