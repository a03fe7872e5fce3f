//! The simulation engine: Redis 7.0 replication on virtual time.
//!
//! Pure Rust with no I/O: every function that depends on time takes `now`
//! (Unix milliseconds) as an argument, randomness comes from one seeded
//! [`rng::Rng`], and only ordered collections are iterated.
//!
//! # Layout
//! - wire and data: [`resp`] (RESP frames and redis-cli formatting), [`request`] (parsing
//!   requests),
//!   [`keyspace`] (databases, values, expiry), [`command`] (the data commands
//!   and what each propagates), [`rdb`] (writing RDB v10 files, with [`lzf`]
//!   and [`crc64`]), [`rdb_load`] (reading them, resumable), [`config`]
//!   (redis.conf options); [`vecmap`] and [`heapsort`] (small stand-ins for
//!   std's B-tree map and sorts, for the wasm's size).
//! - a node: [`node`] (the server: dispatch, the replication feed),
//!   [`loading`] (an RDB load spread over virtual time, `-LOADING`),
//!   [`client`] (client connections),
//!   [`admin`] (server commands), [`debug`] (DEBUG SLEEP, POPULATE, RELOAD), [`info`] (INFO and ROLE), [`log`].
//! - replication: [`handshake`] (the replica's state machine),
//!   [`rdb_transfer`] (receiving a full sync), [`master_link`] (applying
//!   the master's stream, ACKs, the replica's cron), [`psync`] (the master's PSYNC decision), [`replicas`] (full sync,
//!   streaming, ACKs, timeouts, output limits), [`backlog`] (the block list).
//! - the world: [`clock`] (virtual time), [`rng`], [`net`] (links and bytes
//!   in flight), [`sim`] (nodes + network + time), [`scenario`] (scripts);
//!   [`text`] (substring search, join and unsigned parsing, one copy each),
//!   [`sds`] (byte-buffer appends on the per-command path).

pub mod admin;
pub mod backlog;
pub mod client;
pub mod clock;
pub mod command;
pub mod config;
pub mod crc64;
pub mod debug;
pub mod decimal;
pub mod dict;
pub mod handshake;
pub mod heapsort;
pub mod info;
pub mod keyspace;
pub mod lesson;
pub mod loading;
pub mod log;
pub mod lzf;
pub mod master_link;
pub mod net;
pub mod node;
pub mod process;
pub mod psync;
pub mod rdb;
pub mod rdb_load;
pub mod rdb_transfer;
pub mod replicas;
pub mod request;
pub mod resp;
pub mod rng;
pub mod scenario;
pub mod sds;
pub mod share;
pub mod sim;
pub mod text;
pub mod traffic;
pub mod vecmap;
