-- Evidence and presence: provider specs, verification results, cached compatibility results,
-- releases, and undeployments. The SQLite twin of this file is migrations/sqlite/0002_evidence.sql;
-- keep them in step. Every index here serves one of can-I-deploy's bounded queries
-- (crates/vow-core/src/deploy.rs lists them).

-- Provider spec content, stored once per content hash of its bundle (the root document and every
-- file its $refs reach, as canonical JSON).
CREATE TABLE specs (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    content    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- The spec a provider version published: at most one, never replaced.
CREATE TABLE version_specs (
    version_id BIGINT PRIMARY KEY REFERENCES versions (id),
    spec_id    BIGINT NOT NULL REFERENCES specs (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX version_specs_by_spec ON version_specs (spec_id);

-- A provider version verified against a contract (by content). Results are appended: the latest
-- per (provider version, contract) counts, earlier ones stay as history.
CREATE TABLE verifications (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_version_id BIGINT NOT NULL REFERENCES versions (id),
    contract_id         BIGINT NOT NULL REFERENCES contracts (id),
    passed              BOOLEAN NOT NULL,
    -- JSON array of the dimensions with an error finding, e.g. ["shape","latency"].
    failed_dimensions   TEXT NOT NULL,
    -- JSON object: counts and the findings by dimension, as the verifier reported them.
    summary             TEXT NOT NULL,
    build_url           TEXT,
    verified_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX verifications_latest ON verifications (provider_version_id, contract_id, id);
CREATE INDEX verifications_by_contract ON verifications (contract_id);

-- A spec checked against a contract by vow-core, without the clock: computed once per pair and
-- per checker (the vow version that computed it; another version recomputes).
CREATE TABLE compatibility (
    spec_id           BIGINT NOT NULL REFERENCES specs (id),
    contract_id       BIGINT NOT NULL REFERENCES contracts (id),
    checker           TEXT NOT NULL,
    passed            BOOLEAN NOT NULL,
    failed_dimensions TEXT NOT NULL,
    errors            BIGINT NOT NULL,
    warnings          BIGINT NOT NULL,
    -- JSON array of deprecation facts (interaction, element, kind, sunset).
    deprecations      TEXT NOT NULL,
    -- JSON: the findings per interaction.
    report            TEXT NOT NULL,
    computed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (spec_id, contract_id)
);
CREATE INDEX compatibility_by_contract ON compatibility (contract_id);

-- A version released into an environment (a mobile app, a library, an on-premises install): it
-- stays present, beside other released versions, until its support ends.
CREATE TABLE releases (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment_id   BIGINT NOT NULL REFERENCES environments (id),
    service_id       BIGINT NOT NULL REFERENCES services (id),
    version_id       BIGINT NOT NULL,
    released_at      TIMESTAMPTZ NOT NULL,
    support_ended_at TIMESTAMPTZ,
    FOREIGN KEY (version_id, service_id) REFERENCES versions (id, service_id)
);
CREATE UNIQUE INDEX releases_current
    ON releases (environment_id, version_id)
    WHERE support_ended_at IS NULL;
CREATE INDEX releases_by_version ON releases (version_id);

-- A deployment stops being current when another replaces it or when it is undeployed.
ALTER TABLE deployments ADD COLUMN undeployed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX deployments_in_environment ON deployments (environment_id) WHERE replaced_at IS NULL;

-- can-I-merge reads the latest version of each service on a branch.
CREATE INDEX versions_on_branch ON versions (branch, service_id, id);
