-- Webhooks: subscriptions to broker events, and the outbox of their deliveries. The PostgreSQL twin
-- of this file is migrations/postgres/0004_webhooks.sql; keep them in step.
-- Secrets (the signing secret and header values marked secret) are stored sealed with the broker's
-- webhook key (AES-256-GCM), never in clear, because they must be sent again at each delivery.

CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    -- JSON array of event names, e.g. ["contract_content_changed"].
    events      TEXT NOT NULL,
    -- Only events about this provider / consumer; NULL for any.
    provider    TEXT,
    consumer    TEXT,
    url         TEXT NOT NULL,
    method      TEXT NOT NULL,
    -- JSON object: header name -> {"template": …} or {"sealed": …}.
    headers     TEXT NOT NULL,
    -- The body template; NULL for the default JSON body.
    body        TEXT,
    -- The sealed HMAC-SHA256 key, if the deliveries are signed.
    secret      TEXT,
    enabled     BOOLEAN NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The outbox: one row per event per matching webhook, written in the transaction that recorded
-- what the event is about, so a restart loses nothing. A worker leases due rows (lease_until) so
-- that two brokers never send the same attempt; a lease that runs out makes the row due again.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    -- JSON object: the template variables of the event.
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    created_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);

-- Every attempt of a delivery: what the receiver answered, or why nothing was sent or answered.
CREATE TABLE webhook_attempts (
    delivery_id   INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    duration_ms   BIGINT NOT NULL,
    response_code INTEGER,
    error         TEXT,
    PRIMARY KEY (delivery_id, attempt)
);

-- Sunset notices already raised, one per element x consumer version x threshold, so a sweep never
-- raises the same one twice.
CREATE TABLE webhook_sunset_notices (
    provider         TEXT NOT NULL,
    element          TEXT NOT NULL,
    consumer         TEXT NOT NULL,
    consumer_version TEXT NOT NULL,
    threshold_days   INTEGER NOT NULL,
    raised_at        TEXT NOT NULL,
    PRIMARY KEY (provider, element, consumer, consumer_version, threshold_days)
);
