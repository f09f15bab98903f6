//! The broker's web pages: server-rendered HTML for people (API owners first), built on the same
//! store queries and can-I-deploy decision as the API, with sign-in sessions for brokers that
//! require tokens, and admin pages for webhooks. The pages are not API: they have their own route
//! table ([`pages`]), their own access check (a session cookie rather than a bearer header), and
//! answer errors with HTML.

mod asset;
mod deploy;
mod deprecation;
mod integration;
mod matrix;
mod overview;
mod render;
mod route;
mod service;
mod session;
mod sign_in;
mod webhook;

pub(crate) use render::{method_not_allowed, not_found};
pub use route::pages;
pub(crate) use route::router;
