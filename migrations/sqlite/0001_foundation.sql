-- The broker's foundation: services, their versions, content-addressed contracts, environments and
-- deployments. The PostgreSQL twin of this file is migrations/postgres/0001_foundation.sql; keep them in step.
-- Every uniqueness the API promises is a constraint here, so concurrent writers converge on one row.
-- SQLite: INTEGER PRIMARY KEY is the rowid (auto-assigned); timestamps are RFC 3339 text in UTC.

CREATE TABLE services (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- One build of a service. Branch, commit and build URL are set once: a later publish may fill in a
-- missing one but never change one (the API answers 409).
CREATE TABLE versions (
    id         INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES services (id),
    number     TEXT NOT NULL,
    branch     TEXT,
    commit_sha TEXT,
    build_url  TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (service_id, number),
    -- Lets deployments prove that their service is their version's service.
    UNIQUE (id, service_id)
);
CREATE INDEX versions_by_branch ON versions (service_id, branch, id);

-- Contract content, stored once per content hash ("sha256:" and the hex digest of the canonical JSON),
-- so identical contracts of different consumer versions share one row and, later, their evidence.
CREATE TABLE contracts (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    content    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- What a consumer version relies on from each provider: at most one contract per pair, never replaced.
CREATE TABLE version_contracts (
    consumer_version_id INTEGER NOT NULL REFERENCES versions (id),
    provider_id         INTEGER NOT NULL REFERENCES services (id),
    contract_id         INTEGER NOT NULL REFERENCES contracts (id),
    created_at          TEXT NOT NULL,
    PRIMARY KEY (consumer_version_id, provider_id)
);
CREATE INDEX version_contracts_by_provider ON version_contracts (provider_id, consumer_version_id);
CREATE INDEX version_contracts_by_contract ON version_contracts (contract_id);

CREATE TABLE environments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- A version running in an environment. Recording a deployment replaces the service's current one in
-- that environment for the same application instance ('' when the service runs as one instance).
-- Replaced rows stay as history; the partial unique index allows one current row per instance.
CREATE TABLE deployments (
    id                   INTEGER PRIMARY KEY,
    environment_id       INTEGER NOT NULL REFERENCES environments (id),
    service_id           INTEGER NOT NULL REFERENCES services (id),
    version_id           INTEGER NOT NULL,
    application_instance TEXT NOT NULL DEFAULT '',
    deployed_at          TEXT NOT NULL,
    replaced_at          TEXT,
    FOREIGN KEY (version_id, service_id) REFERENCES versions (id, service_id)
);
CREATE UNIQUE INDEX deployments_current
    ON deployments (environment_id, service_id, application_instance)
    WHERE replaced_at IS NULL;
CREATE INDEX deployments_by_version ON deployments (version_id);
