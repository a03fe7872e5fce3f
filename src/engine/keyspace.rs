//! The keyspace: sixteen numbered databases of keys with optional expiry,
//! as `redisDb` holds them (`dict` + `expires`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A binary-safe Redis string (keys, values, fields, members).
pub type Bytes = Vec<u8>;

/// Number of databases a node has (`databases 16`).
pub const DATABASES: usize = 16;

/// A value stored under a key, one variant per Redis type the engine supports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `string`: raw bytes (integers are kept as their decimal text).
    Str(Bytes),
    /// `list`: head at the front, as LPUSH/RPUSH see it.
    List(VecDeque<Bytes>),
    /// `hash`: field/value pairs in insertion order, as a small listpack keeps them.
    Hash(Vec<(Bytes, Bytes)>),
    /// `set`: members; reply order is decided by the set commands.
    Set(BTreeSet<Bytes>),
}

/// One key's value and its absolute expiry time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What the key holds.
    pub value: Value,
    /// Unix time in milliseconds at which the key expires, if it has a TTL.
    pub expire_at_ms: Option<u64>,
}

/// One numbered database (`redisDb`). Ordered so iteration is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Db {
    /// Keys and their entries.
    pub entries: BTreeMap<Bytes, Entry>,
}

/// All databases of one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyspace {
    /// `DATABASES` databases, index = db number.
    pub dbs: Vec<Db>,
}

impl Default for Keyspace {
    fn default() -> Self {
        Keyspace { dbs: vec![Db::default(); DATABASES] }
    }
}
