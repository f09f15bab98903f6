//! Setting up and tearing down provider states through the provider's state endpoint.
//!
//! The protocol: `POST {state, params, action}` as JSON to the states URL, with `action` either
//! `setup` (before the interaction's request) or `teardown` (after it). Any 2xx answer is success.

use std::time::Duration;

use reqwest::{Client, Url};
use serde::Serialize;
use vow_core::contract::ProviderState;

/// Which half of the state protocol a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StateAction {
    Setup,
    Teardown,
}

#[derive(Serialize)]
struct StateCall<'a> {
    state: &'a str,
    params: &'a serde_json::Map<String, serde_json::Value>,
    action: StateAction,
}

/// Why a state call failed, worded to follow "provider state ... failed: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the states endpoint answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the states endpoint could not be reached: {0}")]
    Transport(String),
    #[error("the states endpoint did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
}

/// Calls the states endpoint for one state.
pub async fn change_state(
    client: &Client,
    url: &Url,
    state: &ProviderState,
    action: StateAction,
    timeout: Duration,
) -> Result<(), StateError> {
    let call = StateCall {
        state: &state.state,
        params: &state.params,
        action,
    };
    let body = serde_json::to_vec(&call).map_err(|e| StateError::Transport(e.to_string()))?;
    let send = async {
        let response = client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| StateError::Transport(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let mut body: String = text.chars().take(200).collect();
        if body.is_empty() {
            body = "(empty body)".into();
        }
        Err(StateError::Status {
            status: status.as_u16(),
            body,
        })
    };
    tokio::time::timeout(timeout, send)
        .await
        .unwrap_or(Err(StateError::Timeout(timeout)))
}
