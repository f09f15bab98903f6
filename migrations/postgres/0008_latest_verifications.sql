-- Only the latest result of a provider version against a contract counts. `superseded` marks the
-- others: a newer result of the same provider version against the same contract exists. It is set
-- in the transaction that records the newer one (verifications of a pair are serialised by the
-- lock on the pair's `integrations` row), so reading the latest results, as the matrix does, needs
-- no search for a newer one per row.
ALTER TABLE verifications ADD COLUMN superseded BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE verifications SET superseded = TRUE WHERE EXISTS (
    SELECT 1 FROM verifications newer
    WHERE newer.provider_version_id = verifications.provider_version_id
      AND newer.contract_id = verifications.contract_id AND newer.id > verifications.id);

-- The latest results of a contract, newest first, with what the matrix asks of each (its provider
-- version, whether it passed) in the index itself: one consumer's rows start from its contracts.
CREATE INDEX verifications_latest_by_contract ON verifications (contract_id, id)
    INCLUDE (provider_version_id, passed) WHERE NOT superseded;

-- The consumer versions that published a contract toward a provider, from the index alone: the
-- matrix joins a result to them by contract and provider, and with the contract alone in the
-- index it read every link of the provider as well.
DROP INDEX version_contracts_by_contract;
CREATE INDEX version_contracts_by_contract
    ON version_contracts (contract_id, provider_id, consumer_version_id);

-- A consumer version's contracts from the primary key's index alone: the matrix filtered by a
-- consumer starts from the contracts of all its versions.
ALTER TABLE version_contracts DROP CONSTRAINT version_contracts_pkey,
    ADD PRIMARY KEY (consumer_version_id, provider_id) INCLUDE (contract_id);
