//! An observed HTTP exchange, as plain data: what a provider answered to one replayed request.
//!
//! The engine fills this in from the wire; `vow-core` judges it without knowing how it was obtained.

use std::time::Duration;

/// A response as observed on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedResponse {
    pub status: u16,
    /// Header names in lowercase, values as received (non-UTF-8 values lossily decoded), in wire order.
    pub headers: Vec<(String, String)>,
    /// The raw body bytes.
    pub body: Vec<u8>,
    /// Time from sending the request to receiving the whole body.
    pub elapsed: Duration,
}

impl ObservedResponse {
    /// All values of a header, looked up case-insensitively.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header, looked up case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
