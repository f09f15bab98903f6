-- Since when each element of a provider's specs has been deprecated: the first provider version
-- (in the order their specs were published to this broker) whose spec marks the element deprecated
-- (`deprecated: true` or `x-sunset`), named as deprecation facts name elements. Filled when a spec
-- is published; never moved to a later version.
CREATE TABLE deprecation_history (
    provider_id      INTEGER NOT NULL REFERENCES services (id),
    element          TEXT NOT NULL,
    version_id       INTEGER NOT NULL REFERENCES versions (id),
    -- When that version's spec was published.
    deprecated_since TEXT NOT NULL,
    PRIMARY KEY (provider_id, element)
);

-- Services whose specs were published before the history existed: their older specs are read
-- once, on the first read of their deprecation windows, and the row is removed.
CREATE TABLE deprecation_history_pending (
    provider_id INTEGER PRIMARY KEY REFERENCES services (id)
);
INSERT INTO deprecation_history_pending (provider_id)
    SELECT DISTINCT v.service_id FROM version_specs vs JOIN versions v ON v.id = vs.version_id;
