//! The broker's storage and API test suite: one binary, every test run against SQLite and, when
//! `VOW_TEST_DATABASE_URL` names a server, PostgreSQL (mandatory when `CI` is set).

mod cluster;
mod support;

mod api;
mod auth;
mod browser;
mod can_i_deploy;
mod concurrency;
mod deployment;
mod error;
mod observe;
mod openapi;
mod outage;
mod pages;
mod serve;
mod webhooks;
