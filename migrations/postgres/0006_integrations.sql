-- Integrations: one row per consumer -> provider pair that has a contract, with its newest
-- contract and its latest evidence, so the overview can list pairs and their latest verification
-- without grouping the whole history. The SQLite twin of this file is
-- migrations/sqlite/0006_integrations.sql; keep them in step.
-- Rows are kept in the transaction that publishes a contract (consumer_version_id) and in the one
-- that records a verification (verification_id); this migration fills them from existing rows.

CREATE TABLE integrations (
    consumer_id         BIGINT NOT NULL REFERENCES services (id),
    provider_id         BIGINT NOT NULL REFERENCES services (id),
    -- The consumer's newest version (highest id) with a contract toward the provider.
    consumer_version_id BIGINT NOT NULL REFERENCES versions (id),
    -- The newest verification of a provider version against any contract the consumer published
    -- for the provider; NULL until there is one.
    verification_id     BIGINT REFERENCES verifications (id),
    PRIMARY KEY (consumer_id, provider_id)
);
CREATE INDEX integrations_by_provider ON integrations (provider_id, consumer_id);

-- A service's versions newest first: the integration page's contracts of a consumer, the newest
-- spec of a provider, a service's newest versions.
CREATE INDEX versions_by_service ON versions (service_id, id);

INSERT INTO integrations (consumer_id, provider_id, consumer_version_id)
SELECT v.service_id, vc.provider_id, MAX(vc.consumer_version_id)
FROM version_contracts vc JOIN versions v ON v.id = vc.consumer_version_id
GROUP BY v.service_id, vc.provider_id;

UPDATE integrations SET verification_id = latest.id
FROM (
    SELECT pc.consumer_id, pc.provider_id, MAX(vr.id) AS id
    FROM (
        SELECT DISTINCT v.service_id AS consumer_id, vc.provider_id, vc.contract_id
        FROM version_contracts vc JOIN versions v ON v.id = vc.consumer_version_id
    ) pc
    JOIN verifications vr ON vr.contract_id = pc.contract_id
    JOIN versions pv ON pv.id = vr.provider_version_id AND pv.service_id = pc.provider_id
    GROUP BY pc.consumer_id, pc.provider_id
) latest
WHERE latest.consumer_id = integrations.consumer_id
  AND latest.provider_id = integrations.provider_id;
