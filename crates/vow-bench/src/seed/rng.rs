//! Determinism without a dependency: SplitMix64 as a stream, and as a hash of a few numbers so that
//! a choice about one entity (a service, an edge, a version) never depends on the order entities
//! are generated in.

/// The SplitMix64 finaliser: a well-mixed 64-bit function of a 64-bit value.
fn finalise(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash of `seed` and `parts`.
pub fn mix(seed: u64, parts: &[u64]) -> u64 {
    parts.iter().fold(finalise(seed), |h, &p| {
        finalise(h ^ p.wrapping_add(0x9e37_79b9_7f4a_7c15))
    })
}

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        finalise(self.0)
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
