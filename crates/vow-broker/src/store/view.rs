//! Reads that only the web pages need: what runs where at a glance, where one service runs, and
//! the specs a service published. Every list is bounded by a limit.

use super::error::StoreError;
use super::pool::{Store, on_pool};
use super::record::{Placement, SpecRef};

/// Current deployments and supported releases as `Placement` columns; a macro so that `concat!`
/// can add the filter (`$1` is the limit, `$2` the service when filtered).
macro_rules! select_placements {
    ($filter:literal) => {
        concat!(
            "SELECT e.name AS environment, s.name AS service, v.number AS version, \
             'deployed' AS how, d.deployed_at AS since \
             FROM deployments d JOIN environments e ON e.id = d.environment_id \
             JOIN services s ON s.id = d.service_id JOIN versions v ON v.id = d.version_id \
             WHERE d.replaced_at IS NULL ",
            $filter,
            " UNION ALL \
             SELECT e.name, s.name, v.number, 'released', r.released_at \
             FROM releases r JOIN environments e ON e.id = r.environment_id \
             JOIN services s ON s.id = r.service_id JOIN versions v ON v.id = r.version_id \
             WHERE r.support_ended_at IS NULL ",
            $filter,
            " ORDER BY 2, 1, 3 LIMIT $1"
        )
    };
}

impl Store {
    /// What runs where: current deployments and supported releases (at most `limit`), by
    /// service, environment and version.
    pub async fn placements(&self, limit: u32) -> Result<Vec<Placement>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Placement>(select_placements!(""))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?))
    }

    /// Where `service` runs: its current deployments and supported releases (at most `limit`).
    pub async fn placements_of(
        &self,
        service: &str,
        limit: u32,
    ) -> Result<Vec<Placement>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, Placement>(select_placements!("AND s.name = $2"))
            .bind(i64::from(limit))
            .bind(service)
            .fetch_all(pool)
            .await?))
    }

    /// The newest specs `service` published (at most `limit`), newest first.
    pub async fn specs_of(&self, service: &str, limit: u32) -> Result<Vec<SpecRef>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as::<_, SpecRef>(
            "SELECT v.number AS version, sp.hash, vs.created_at AS published_at \
             FROM version_specs vs JOIN versions v ON v.id = vs.version_id \
             JOIN services s ON s.id = v.service_id JOIN specs sp ON sp.id = vs.spec_id \
             WHERE s.name = $1 ORDER BY v.id DESC LIMIT $2",
        )
        .bind(service)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?))
    }
}

impl Store {
    /// The first `limit` services by name, and how many there are.
    pub async fn services_page(
        &self,
        limit: u32,
    ) -> Result<(Vec<super::record::Service>, i64), StoreError> {
        on_pool!(self, pool => {
            let services = sqlx::query_as::<_, super::record::Service>(
                "SELECT name, created_at FROM services ORDER BY name LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
                .fetch_one(pool)
                .await?;
            Ok((services, total))
        })
    }
}
