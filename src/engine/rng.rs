//! The one seeded random number generator of a simulation (SplitMix64).
//!
//! Redis draws run IDs and replication IDs from `/dev/urandom`; the simulation
//! draws them from here, so the same seed always gives the same IDs.

/// A small, fast, seedable generator; the same seed yields the same sequence.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose whole future is decided by `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits. Inlined: a write load draws four for each
    /// 32-byte value.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi` (`hi > lo`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo)
    }

    /// 40 lowercase hex characters, the shape of a Redis run ID or replication ID.
    pub fn hex40(&mut self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        (0..40).map(|_| HEX[(self.next_u64() & 15) as usize] as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(a.hex40(), b.hex40());
        assert_ne!(Rng::new(7).hex40(), Rng::new(8).hex40());
        assert_eq!(Rng::new(1).hex40().len(), 40);
    }
}
