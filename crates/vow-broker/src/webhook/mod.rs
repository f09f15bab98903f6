//! Webhooks: what the broker tells other systems when something they care about is recorded.
//!
//! `event` names the events and the template variables each carries; `template` checks and
//! renders the bodies and headers; `secret` seals the values that must be sent again at each
//! delivery; `address` is the guard that keeps deliveries away from private networks; `delivery`
//! is the worker that sends the outbox's due rows, with retries; `sunset` the periodic sweep that
//! raises deprecation-nearing-sunset events. The SQL is in `store::webhook`.

mod address;
mod delivery;
mod event;
mod secret;
mod settings;
mod sunset;
mod template;

pub use address::{AddressClass, AddressGuard, Refusal, classify};
pub use delivery::Deliverer;
pub use event::{COMMON_VARIABLES, EventKind};
pub use secret::{KeyError, SecretError, WebhookKey};
pub use settings::WebhookSettings;
pub use sunset::sweep_sunsets;
pub use template::{TemplateError, check_template, render_template};
