//! End-to-end tests of the `vow` binary: one test binary, one module per area.

mod broker;
mod broker_client;
mod broker_records;
mod broker_token;
mod check;
mod deprecations;
mod diff;
mod import_pact;
mod mock;
mod record;
mod support;
mod tidy;
mod verify_bad_input;
mod verify_broker;
mod verify_example;
mod verify_spec;
mod webhook;
