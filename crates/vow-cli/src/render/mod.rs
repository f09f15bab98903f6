//! Rendering reports and errors for people and for pipelines.

mod human;
mod json;
mod junit;
mod style;

pub use human::{render_load_errors, render_report};
pub use json::render_json;
pub use junit::render_junit;
pub use style::Style;
