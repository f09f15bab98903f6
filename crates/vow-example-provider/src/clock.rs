//! The current time as the API shows it. Read from `SystemTime` rather than chrono's clock, which
//! would pull in time-zone discovery the API never needs (it speaks UTC only).

use std::time::SystemTime;

use chrono::{DateTime, SubsecRound, Utc};

/// Now, in whole seconds: timestamps in responses carry no fractions.
pub(crate) fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(SystemTime::now()).trunc_subsecs(0)
}
