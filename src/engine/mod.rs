//! The simulation engine: Redis 7.0 replication on virtual time.
//!
//! Pure Rust with no I/O: every function that depends on time takes `now`
//! (Unix milliseconds) as an argument, randomness comes from one seeded
//! [`rng::Rng`], and only ordered collections are iterated.

pub mod keyspace;
pub mod rng;
pub mod clock;
pub mod net;
