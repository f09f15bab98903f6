//! Sign-in sessions of the web pages: each stands for the token it was signed in with, and lasts
//! no longer than that token (see migrations/*/0005_sessions.sql).

use chrono::{DateTime, Utc};

use super::error::StoreError;
use super::pool::{BeginWrite, Store, on_pool};
use super::record::Token;

impl Store {
    /// Starts a session for the token whose hash is `token_hash`, stored by the hash of its
    /// cookie. Sessions of that token that have expired are removed on the way.
    pub async fn create_session(
        &self,
        secret_hash: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let Some(token_id) =
                sqlx::query_scalar::<_, i64>("SELECT id FROM tokens WHERE secret_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await?
            else {
                return Err(StoreError::TokenNotFound { name: "(presented)".to_owned() });
            };
            sqlx::query("DELETE FROM sessions WHERE token_id = $1 AND expires_at <= $2")
                .bind(token_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (secret_hash, token_id, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(secret_hash)
            .bind(token_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The token behind the session stored as `secret_hash` and when the session expires, if
    /// the session exists. Whether the token still holds is the caller's question.
    pub async fn session(
        &self,
        secret_hash: &str,
    ) -> Result<Option<(Token, DateTime<Utc>)>, StoreError> {
        let found = on_pool!(self, pool => sqlx::query_as::<_, (String, DateTime<Utc>)>(
            "SELECT t.secret_hash, s.expires_at FROM sessions s \
             JOIN tokens t ON t.id = s.token_id WHERE s.secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(pool)
        .await?);
        let Some((token_hash, expires_at)) = found else {
            return Ok(None);
        };
        Ok(self
            .token_by_hash(&token_hash)
            .await?
            .map(|token| (token, expires_at)))
    }

    /// Ends the session stored as `secret_hash`; ending one that is gone changes nothing.
    pub async fn end_session(&self, secret_hash: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
                .bind(secret_hash)
                .execute(pool)
                .await?;
            Ok(())
        })
    }
}
