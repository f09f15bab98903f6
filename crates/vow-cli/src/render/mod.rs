//! Rendering reports and errors for people and for pipelines.

pub mod answer;
pub mod diff;
mod github;
mod human;
mod json;
mod junit;
pub mod locate;
mod markdown;
mod sarif;
mod spec_error;
mod style;
pub mod text;

pub use diff::DiffDocuments;
pub use github::render_github;
pub use human::{render_check_report, render_load_errors, render_report};
pub use json::render_json;
pub use junit::{render_junit, render_junit_results};
pub use markdown::render_markdown;
pub use sarif::render_sarif;
pub use spec_error::render_spec_error;
pub use style::Style;
