//! The keyspace: sixteen numbered databases of keys with optional expiry,
//! as `redisDb` holds them (`dict` + `expires`).

use std::collections::VecDeque;

use crate::engine::dict::Dict;
use crate::engine::vecmap::VecSet;

use crate::engine::command::{ExpireMode, Op};

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
    Set(VecSet<Bytes>),
}

/// One key's value and its absolute expiry time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What the key holds.
    pub value: Value,
    /// Unix time in milliseconds at which the key expires, if it has a TTL.
    pub expire_at_ms: Option<u64>,
}

/// One numbered database (`redisDb`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Db {
    /// Keys and their entries, in a deterministic hash table.
    pub entries: Dict<Entry>,
}

/// All databases of one node.
#[derive(Clone, Debug)]
pub struct Keyspace {
    /// `DATABASES` databases, index = db number.
    pub dbs: Vec<Db>,
    /// Keys a lookup found expired and deleted (a master's
    /// `expireIfNeeded`), not yet added to INFO's `expired_keys`: the node
    /// moves them there after each command.
    pub expired: u64,
}

/// Keyspaces are equal when they hold the same data (a master that
/// expired keys on lookup and its replica, which deleted them on the DEL
/// it was sent, are).
impl PartialEq for Keyspace {
    fn eq(&self, other: &Self) -> bool {
        self.dbs == other.dbs
    }
}

impl Eq for Keyspace {}

impl Default for Keyspace {
    fn default() -> Self {
        // Not `vec![Db::default(); DATABASES]`: that clones a `Db`, and
        // cloning a keyspace's values is 2 KB of wasm used nowhere else.
        Keyspace { dbs: (0..DATABASES).map(|_| Db::default()).collect(), expired: 0 }
    }
}

impl Value {
    /// The name `TYPE` replies with (`getObjectTypeName`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
        }
    }
}

impl Entry {
    /// An entry without a TTL.
    pub fn new(value: Value) -> Entry {
        Entry { value, expire_at_ms: None }
    }

    /// `keyIsExpired`: a key is logically expired once now is strictly past its expiry time.
    #[inline(always)]
    pub fn is_expired(&self, now_ms: u64) -> bool {
        matches!(self.expire_at_ms, Some(t) if now_ms > t)
    }
}

impl Keyspace {
    /// The entry stored under `key`, ignoring expiry (a raw `dictFind`).
    pub fn get(&self, db: usize, key: &[u8]) -> Option<&Entry> {
        self.dbs[db].entries.get(key)
    }

    /// Number of keys in a database, logically expired ones included (`dictSize`, DBSIZE, INFO `keys=`).
    pub fn key_count(&self, db: usize) -> usize {
        self.dbs[db].entries.len()
    }

    /// Number of keys in all databases.
    pub fn total_keys(&self) -> usize {
        self.dbs.iter().map(|d| d.entries.len()).sum()
    }

    /// Number of keys with a TTL in a database (`dictSize(db->expires)`, INFO `expires=`).
    pub fn expires_count(&self, db: usize) -> usize {
        self.dbs[db].entries.values().filter(|e| e.expire_at_ms.is_some()).count()
    }

    /// Remove every key of every database (FLUSHALL, or a replica's "Flushing old data").
    pub fn flush_all(&mut self) {
        for d in self.dbs.iter_mut() {
            d.entries.clear();
        }
    }

    /// `expireIfNeeded`: true when `key` must be treated as missing. On a
    /// master an expired key is deleted and a `DEL key` Op is pushed; a
    /// replica's normal client only hides it; the master link never does either.
    pub fn expire_if_needed(
        &mut self,
        db: usize,
        key: &[u8],
        now_ms: u64,
        mode: ExpireMode,
        propagate: &mut Vec<Op>,
    ) -> bool {
        let expired = match self.dbs[db].entries.get(key) {
            Some(e) => e.is_expired(now_ms),
            None => return false,
        };
        if !expired {
            return false;
        }
        match mode {
            ExpireMode::ReplicaMasterLink => false,
            ExpireMode::ReplicaClient => true,
            ExpireMode::Master => {
                self.dbs[db].entries.remove(key);
                self.expired += 1;
                propagate.push(Op { db, argv: vec![b"DEL".to_vec(), key.to_vec()] });
                true
            }
        }
    }

    /// `lookupKeyRead`: the live entry for a read, after lazy expiry.
    pub fn lookup_read(
        &mut self,
        db: usize,
        key: &[u8],
        now_ms: u64,
        mode: ExpireMode,
        propagate: &mut Vec<Op>,
    ) -> Option<&Entry> {
        let pos = self.dbs[db].entries.position(key)?;
        if !self.dbs[db].entries.value_at(pos).is_expired(now_ms) {
            return Some(self.dbs[db].entries.value_at(pos));
        }
        if self.expire_if_needed(db, key, now_ms, mode, propagate) {
            return None;
        }
        self.dbs[db].entries.get(key)
    }

    /// `lookupKeyWrite`: the live entry for a write, after lazy expiry. On a
    /// replica's normal client a logically expired key is dropped silently
    /// here, since the write is about to replace it.
    pub fn lookup_write(
        &mut self,
        db: usize,
        key: &[u8],
        now_ms: u64,
        mode: ExpireMode,
        propagate: &mut Vec<Op>,
    ) -> Option<&mut Entry> {
        let pos = self.dbs[db].entries.position(key)?;
        if !self.dbs[db].entries.value_at(pos).is_expired(now_ms) {
            return Some(self.dbs[db].entries.value_at_mut(pos));
        }
        if self.expire_if_needed(db, key, now_ms, mode, propagate) {
            self.dbs[db].entries.remove(key);
            return None;
        }
        self.dbs[db].entries.get_mut(key)
    }

    /// Active expiry on a master (`activeExpireCycle`, here exhaustive):
    /// delete every logically expired key and return one `DEL key` Op per
    /// key, in db order then table order. Never call it on a replica.
    pub fn active_expire(&mut self, now_ms: u64) -> Vec<Op> {
        let mut ops = Vec::new();
        for (db, d) in self.dbs.iter_mut().enumerate() {
            let expired: Vec<Bytes> = d
                .entries
                .iter()
                .filter(|(_, e)| e.is_expired(now_ms))
                .map(|(k, _)| k.clone())
                .collect();
            for k in expired {
                d.entries.remove(&k);
                ops.push(Op { db, argv: vec![b"DEL".to_vec(), k] });
            }
        }
        ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks_with(key: &str, expire: Option<u64>) -> Keyspace {
        let mut ks = Keyspace::default();
        ks.dbs[0].entries.insert(
            key.as_bytes().to_vec(),
            Entry { value: Value::Str(b"v".to_vec()), expire_at_ms: expire },
        );
        ks
    }

    #[test]
    fn key_expires_only_when_now_is_strictly_past() {
        let e = Entry { value: Value::Str(vec![]), expire_at_ms: Some(100) };
        assert!(!e.is_expired(100));
        assert!(e.is_expired(101));
        assert!(!Entry::new(Value::Str(vec![])).is_expired(u64::MAX));
    }

    #[test]
    fn master_lookup_deletes_expired_key_and_propagates_del() {
        let mut ks = ks_with("foo", Some(10));
        let mut ops = Vec::new();
        assert!(ks.lookup_read(0, b"foo", 11, ExpireMode::Master, &mut ops).is_none());
        assert_eq!(ks.key_count(0), 0);
        assert_eq!(ops, vec![Op { db: 0, argv: vec![b"DEL".to_vec(), b"foo".to_vec()] }]);
    }

    #[test]
    fn replica_client_hides_expired_key_but_keeps_it() {
        let mut ks = ks_with("foo", Some(10));
        let mut ops = Vec::new();
        assert!(ks.lookup_read(0, b"foo", 11, ExpireMode::ReplicaClient, &mut ops).is_none());
        assert_eq!(ks.key_count(0), 1);
        assert!(ops.is_empty());
    }

    #[test]
    fn master_link_sees_expired_key() {
        let mut ks = ks_with("foo", Some(10));
        let mut ops = Vec::new();
        assert!(ks.lookup_read(0, b"foo", 11, ExpireMode::ReplicaMasterLink, &mut ops).is_some());
        assert!(ops.is_empty());
    }

    #[test]
    fn active_expire_deletes_in_db_then_table_order() {
        let mut ks = ks_with("k", Some(5));
        ks.dbs[0].entries.insert(b"counter".to_vec(), Entry { value: Value::Str(b"1".to_vec()), expire_at_ms: Some(5) });
        ks.dbs[0].entries.insert(b"keep".to_vec(), Entry::new(Value::Str(b"1".to_vec())));
        ks.dbs[3].entries.insert(b"a".to_vec(), Entry { value: Value::Str(b"1".to_vec()), expire_at_ms: Some(1) });
        assert_eq!(ks.expires_count(0), 2);
        let ops = ks.active_expire(6);
        let got: Vec<(usize, Vec<u8>)> = ops.iter().map(|o| (o.db, o.argv[1].clone())).collect();
        assert_eq!(got, vec![(0, b"k".to_vec()), (0, b"counter".to_vec()), (3, b"a".to_vec())]);
        let bytes: usize = ops[..2].iter().map(|o| crate::engine::resp::encoded_len(&o.argv)).sum();
        assert_eq!(bytes, 46); // DEL k (20) + DEL counter (26), as measured
        assert_eq!(ks.key_count(0), 1);
        assert_eq!(ks.expires_count(0), 0);
        assert!(ks.active_expire(6).is_empty());
    }
}
