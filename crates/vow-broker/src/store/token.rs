//! Broker tokens: created with the services they are limited to, listed, revoked, and looked up
//! by the hash of the token a request presents (one indexed lookup per authenticated request).
//!
//! Token rows are never deleted, so "is any token there?" is also "has auth ever been switched
//! on?": the broker is open only while the table is empty.

use chrono::{DateTime, Duration, Utc};

use super::error::StoreError;
use super::pool::{BeginWrite, Store, on_pool};
use super::record::{Put, Token, TokenRow};
use crate::token::{Role, TokenSpec};

/// Tokens with their services, one row per (token, service); a macro so that `concat!` can add
/// the filter.
macro_rules! select_token {
    () => {
        "SELECT t.name, t.role, t.prefix, t.created_at, t.expires_at, t.revoked_at, \
         t.last_used_at, ts.service \
         FROM tokens t LEFT JOIN token_services ts ON ts.token_id = t.id "
    };
}

/// How stale `last_used_at` may get: it is written at most this often per token.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

impl Store {
    /// Stores a new token: its hash, display prefix and what `spec` says. A name already taken,
    /// by a live or a revoked token, is a [`StoreError::TokenConflict`].
    pub async fn create_token(
        &self,
        spec: &TokenSpec,
        secret_hash: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<Token, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let Some(id) = sqlx::query_scalar::<_, i64>(
                "INSERT INTO tokens (name, role, secret_hash, prefix, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(spec.name.as_str())
            .bind(spec.role.as_str())
            .bind(secret_hash)
            .bind(prefix)
            .bind(now)
            .bind(spec.expires_at)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Err(StoreError::TokenConflict {
                    name: spec.name.as_str().to_owned(),
                });
            };
            for service in &spec.services {
                sqlx::query("INSERT INTO token_services (token_id, service) VALUES ($1, $2)")
                    .bind(id)
                    .bind(service.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            let rows = sqlx::query_as::<_, TokenRow>(concat!(
                select_token!(),
                "WHERE t.id = $1 ORDER BY ts.service"
            ))
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            one(rows)?.ok_or_else(|| StoreError::TokenNotFound {
                name: spec.name.as_str().to_owned(),
            })
        })
    }

    /// Every token, revoked and expired ones included, by name.
    pub async fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, TokenRow>(concat!(
            select_token!(),
            "ORDER BY t.name, ts.service"
        ))
        .fetch_all(pool)
        .await?);
        group(rows)
    }

    /// The token whose text hashes to `secret_hash`, if any: one lookup on a unique index.
    pub async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<Token>, StoreError> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, TokenRow>(concat!(
            select_token!(),
            "WHERE t.secret_hash = $1 ORDER BY ts.service"
        ))
        .bind(secret_hash)
        .fetch_all(pool)
        .await?);
        one(rows)
    }

    /// True once any token has been created (revoked and expired ones count: see the module doc).
    pub async fn tokens_exist(&self) -> Result<bool, StoreError> {
        on_pool!(self, pool => Ok(
            sqlx::query_scalar::<_, i32>("SELECT 1 FROM tokens LIMIT 1")
                .fetch_optional(pool)
                .await?
                .is_some()
        ))
    }

    /// Revokes the token named `name`. Revoking a revoked token changes nothing (`created` is
    /// false and `revoked_at` keeps its first value); an unknown name is
    /// [`StoreError::TokenNotFound`].
    pub async fn revoke_token(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Put<Token>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let revoked = sqlx::query(
                "UPDATE tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
            )
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let rows = sqlx::query_as::<_, TokenRow>(concat!(
                select_token!(),
                "WHERE t.name = $1 ORDER BY ts.service"
            ))
            .bind(name)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            match one(rows)? {
                Some(token) => Ok(Put { value: token, created: revoked }),
                None => Err(StoreError::TokenNotFound { name: name.to_owned() }),
            }
        })
    }

    /// Records that the token authenticated a request at `now`, unless a use was already recorded
    /// less than a minute before (by this broker or another sharing the database).
    pub async fn touch_token(&self, name: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE tokens SET last_used_at = $2 \
                 WHERE name = $1 AND (last_used_at IS NULL OR last_used_at <= $3)",
            )
            .bind(name)
            .bind(now)
            .bind(now - LAST_USED_RESOLUTION)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

impl Token {
    /// True when a use at `now` is worth recording: `last_used_at` is unset, or a minute old
    /// or older.
    pub fn last_use_is_stale(&self, now: DateTime<Utc>) -> bool {
        self.last_used_at
            .is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
    }
}

/// The one token in `rows` (all rows of one token), if any.
fn one(rows: Vec<TokenRow>) -> Result<Option<Token>, StoreError> {
    Ok(group(rows)?.into_iter().next())
}

/// Tokens from their rows, which come sorted by token, one per (token, service).
fn group(rows: Vec<TokenRow>) -> Result<Vec<Token>, StoreError> {
    let mut tokens: Vec<Token> = Vec::new();
    for row in rows {
        if let Some(last) = tokens.last_mut()
            && last.name == row.name
        {
            last.services.extend(row.service);
            continue;
        }
        let role = Role::parse(&row.role).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Decode(
                format!("token {:?} has the unknown role {:?}", row.name, row.role).into(),
            ))
        })?;
        tokens.push(Token {
            name: row.name,
            role,
            services: row.service.into_iter().collect(),
            prefix: row.prefix,
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            last_used_at: row.last_used_at,
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_used_is_written_at_most_once_a_minute() {
        let now = Utc::now();
        let used = |last_used_at| Token {
            name: "ci".to_owned(),
            role: Role::Read,
            services: Vec::new(),
            prefix: "vow_abcdef".to_owned(),
            created_at: now,
            expires_at: None,
            revoked_at: None,
            last_used_at,
        };
        assert!(used(None).last_use_is_stale(now));
        assert!(!used(Some(now - Duration::seconds(59))).last_use_is_stale(now));
        assert!(used(Some(now - Duration::seconds(60))).last_use_is_stale(now));
    }
}
