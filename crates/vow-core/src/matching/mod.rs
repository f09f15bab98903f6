//! Matching: judging an observed response against an interaction's expectations.

