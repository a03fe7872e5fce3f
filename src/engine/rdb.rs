//! RDB files, version 10 (`REDIS0010`), as redis-server 7.0.15 writes them
//! (`rdbSaveRio`) and the subset of types it loads that this engine models
//! (`rdbLoadRio` / `rdbLoadObject`).
//!
//! Layout: magic, AUX fields (`rdbSaveInfoAuxFields`), then per non-empty db
//! SELECTDB + RESIZEDB and its keys (EXPIRETIME_MS before keys with a TTL),
//! EOF opcode, CRC-64 of everything before it (little endian).
//! Encodings chosen as 7.0 does for small objects with default limits:
//! lists as QUICKLIST_2 of listpack nodes (`list-max-listpack-size -2`, no
//! node compression), hashes as a listpack while <= 128 entries of <= 64
//! bytes, sets as an intset while all-integer and <= 512 members.
//! Keys come out in the engine's dict order (Redis uses its own dict order,
//! so multi-key databases are not byte-identical to a real dump, only
//! equivalent). Reading is in [`super::rdb_load`].

use crate::engine::crc64::crc64;
use crate::engine::keyspace::{Bytes, Keyspace, Value, DATABASES};
use crate::engine::lzf;
use std::collections::VecDeque;
use std::fmt;

pub use super::rdb_load::{aux_fields, decode, Loader};

/// `RDB_VERSION` of Redis 7.0.
pub const RDB_VERSION: u32 = 10;
/// `REDIS_VERSION` stored in the `redis-ver` aux field.
pub const REDIS_VERSION: &str = "7.0.15";

pub(super) const OP_AUX: u8 = 250;
pub(super) const OP_RESIZEDB: u8 = 251;
pub(super) const OP_EXPIRETIME_MS: u8 = 252;
pub(super) const OP_EXPIRETIME: u8 = 253;
pub(super) const OP_SELECTDB: u8 = 254;
pub(super) const OP_EOF: u8 = 255;
pub(super) const OP_IDLE: u8 = 248;
pub(super) const OP_FREQ: u8 = 249;

pub(super) const TYPE_STRING: u8 = 0;
pub(super) const TYPE_LIST: u8 = 1;
pub(super) const TYPE_SET: u8 = 2;
pub(super) const TYPE_HASH: u8 = 4;
pub(super) const TYPE_SET_INTSET: u8 = 11;
pub(super) const TYPE_HASH_LISTPACK: u8 = 16;
pub(super) const TYPE_LIST_QUICKLIST_2: u8 = 18;

pub(super) const ENC_INT8: u64 = 0;
pub(super) const ENC_INT16: u64 = 1;
pub(super) const ENC_INT32: u64 = 2;
pub(super) const ENC_LZF: u64 = 3;

/// `hash-max-listpack-entries` default.
const HASH_MAX_LISTPACK_ENTRIES: usize = 128;
/// `hash-max-listpack-value` default.
const HASH_MAX_LISTPACK_VALUE: usize = 64;
/// `set-max-intset-entries` default.
const SET_MAX_INTSET_ENTRIES: usize = 512;
/// `list-max-listpack-size -2`: 8 KiB per quicklist node.
const LIST_NODE_MAX_BYTES: usize = 8192;
/// `SIZE_ESTIMATE_OVERHEAD` in quicklist.c.
const QUICKLIST_SIZE_OVERHEAD: usize = 8;
/// Quicklist node containers (`QUICKLIST_NODE_CONTAINER_*`).
pub(super) const CONTAINER_PLAIN: u64 = 1;
pub(super) const CONTAINER_PACKED: u64 = 2;

/// Replication info saved in the RDB aux fields (`rdbSaveInfo`):
/// `repl-stream-db`, `repl-id`, `repl-offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplInfo {
    /// `repl-id`: the saving node's replid (40 hex chars).
    pub repl_id: String,
    /// `repl-offset`: the saving node's `master_repl_offset`.
    pub repl_offset: i64,
    /// `repl-stream-db`: db selected in the replication stream.
    pub stream_db: i32,
}

impl ReplInfo {
    /// The db the master client starts in (`replicationCreateMasterClient`
    /// selects it; an index out of range leaves db 0, as `selectDb` fails).
    pub fn master_db(&self) -> usize {
        usize::try_from(self.stream_db).ok().filter(|&db| db < super::keyspace::DATABASES).unwrap_or(0)
    }
}

/// The result of loading an RDB file (`rdbLoad` into `server.db` + `rsi`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    /// The databases read from the file.
    pub keyspace: Keyspace,
    /// Replication info, present when the file has a 40-byte UTF-8 `repl-id` aux field.
    pub repl: Option<ReplInfo>,
}

/// Why an RDB payload could not be loaded (Redis logs these as
/// "Short read or OOM loading DB" / "Internal error in RDB reading ...").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RdbError {
    /// The file does not start with `REDIS`.
    WrongSignature,
    /// `Can't handle RDB format version N`.
    UnsupportedVersion(u32),
    /// The data ended before the EOF opcode / checksum.
    UnexpectedEof,
    /// A length or encoding byte that Redis would reject.
    Corrupt(&'static str),
    /// A value type this engine does not model (zset, stream, module, ziplist...).
    UnsupportedType(u8),
    /// An opcode this engine does not model (module aux, functions).
    UnsupportedOpcode(u8),
    /// SELECTDB beyond `databases 16`.
    DbOutOfRange(u64),
    /// `Wrong RDB checksum expected: (..) got (..)`.
    ChecksumMismatch {
        /// Checksum stored in the file.
        stored: u64,
        /// Checksum computed over the data.
        computed: u64,
    },
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdbError::WrongSignature => write!(f, "Wrong signature trying to load DB from file"),
            RdbError::UnsupportedVersion(v) => write!(f, "Can't handle RDB format version {v}"),
            RdbError::UnexpectedEof => write!(f, "Short read or OOM loading DB. Unrecoverable error, aborting now."),
            RdbError::Corrupt(what) => write!(f, "Internal error in RDB reading offset 0, function at rdb.c:0 -> {what}"),
            RdbError::UnsupportedType(t) => write!(f, "Unsupported RDB object type {t}"),
            RdbError::UnsupportedOpcode(t) => write!(f, "Unsupported RDB opcode {t}"),
            RdbError::DbOutOfRange(n) => write!(
                f,
                "FATAL: Data file was created with a Redis server configured to handle more than {DATABASES} databases (db {n})"
            ),
            RdbError::ChecksumMismatch { stored, computed } => write!(
                f,
                "Wrong RDB checksum expected: ({stored:x}) got ({computed:x}). Aborting now."
            ),
        }
    }
}

impl std::error::Error for RdbError {}

/// `string2ll`: Redis's strict decimal parse (no sign '+', no leading zeros,
/// no spaces, fits in i64). Used for integer encodings everywhere.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    crate::engine::resp::parse_i64(s)
}

// ---------------------------------------------------------------- writing

fn save_len(out: &mut Vec<u8>, len: u64) {
    if len < (1 << 6) {
        out.push(len as u8);
    } else if len < (1 << 14) {
        out.push(((len >> 8) as u8) | 0x40);
        out.push(len as u8);
    } else if len <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// `rdbEncodeInteger`: INT8/16/32 special encodings.
fn encode_integer(v: i64) -> Option<Vec<u8>> {
    if (-(1 << 7)..(1 << 7)).contains(&v) {
        Some(vec![0xc0, v as u8])
    } else if (-(1 << 15)..(1 << 15)).contains(&v) {
        let b = (v as i16).to_le_bytes();
        Some(vec![0xc1, b[0], b[1]])
    } else if (-(1i64 << 31)..(1i64 << 31)).contains(&v) {
        let b = (v as i32).to_le_bytes();
        Some(vec![0xc2, b[0], b[1], b[2], b[3]])
    } else {
        None
    }
}

/// `rdbSaveRawString` with `rdbcompression yes`.
fn save_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() <= 11
        && let Some(enc) = string2ll(s).and_then(encode_integer) {
            out.extend_from_slice(&enc);
            return;
        }
    if s.len() > 20 {
        // rdbSaveLzfStringObject: worth it only when it saves >= 4 bytes.
        if let Some(c) = lzf::compress(s, s.len() - 4) {
            out.push(0xc3);
            save_len(out, c.len() as u64);
            save_len(out, s.len() as u64);
            out.extend_from_slice(&c);
            return;
        }
    }
    save_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

fn save_aux(out: &mut Vec<u8>, key: &str, val: &[u8]) {
    out.push(OP_AUX);
    save_string(out, key.as_bytes());
    save_string(out, val);
}

/// `lpEncodeBacklen`: 1-5 bytes, most significant first, all but the first
/// with the 0x80 continuation bit (note the odd 16383/2097151/268435455 limits).
pub(super) fn lp_backlen(l: usize) -> Vec<u8> {
    let n = match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let v = (l as u64 >> (7 * (n - 1 - i))) as u8;
        out.push(if i == 0 { v } else { (v & 127) | 128 });
    }
    out
}

/// One listpack entry (encoding + data + backlen), as `lpInsert` writes it.
fn lp_entry(ele: &[u8]) -> Vec<u8> {
    let mut e = Vec::with_capacity(ele.len() + 6);
    if let Some(v) = string2ll(ele) {
        if (0..=127).contains(&v) {
            e.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = if v < 0 { (1i64 << 13) + v } else { v };
            e.push(((u >> 8) as u8) | 0xc0);
            e.push(u as u8);
        } else if (-32768..=32767).contains(&v) {
            e.push(0xf1);
            e.extend_from_slice(&(v as i16).to_le_bytes());
        } else if (-8388608..=8388607).contains(&v) {
            e.push(0xf2);
            e.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
            e.push(0xf3);
            e.extend_from_slice(&(v as i32).to_le_bytes());
        } else {
            e.push(0xf4);
            e.extend_from_slice(&v.to_le_bytes());
        }
    } else if ele.len() < 64 {
        e.push(ele.len() as u8 | 0x80);
        e.extend_from_slice(ele);
    } else if ele.len() < 4096 {
        e.push((ele.len() >> 8) as u8 | 0xe0);
        e.push(ele.len() as u8);
        e.extend_from_slice(ele);
    } else {
        e.push(0xf0);
        e.extend_from_slice(&(ele.len() as u32).to_le_bytes());
        e.extend_from_slice(ele);
    }
    let back = lp_backlen(e.len());
    e.extend_from_slice(&back);
    e
}

/// A listpack blob holding `items` in order (header, entries, 0xFF).
fn listpack(items: &[&[u8]]) -> Vec<u8> {
    let mut lp = vec![0u8; 6];
    for it in items {
        lp.extend_from_slice(&lp_entry(it));
    }
    lp.push(0xff);
    let total = lp.len() as u32;
    lp[0..4].copy_from_slice(&total.to_le_bytes());
    lp[4..6].copy_from_slice(&(items.len().min(65535) as u16).to_le_bytes());
    lp
}

/// The quicklist nodes an RPUSH of `items` builds (`_quicklistNodeAllowInsert`
/// with fill -2), each a listpack blob.
fn quicklist_nodes(items: &VecDeque<Bytes>) -> Vec<Vec<u8>> {
    let mut nodes: Vec<Vec<&[u8]>> = Vec::new();
    let mut cur_sz = 0usize;
    for it in items {
        let fits = !nodes.is_empty() && cur_sz + it.len() + QUICKLIST_SIZE_OVERHEAD <= LIST_NODE_MAX_BYTES;
        if !fits {
            nodes.push(Vec::new());
            cur_sz = 7;
        }
        nodes.last_mut().expect("node").push(it.as_slice());
        let e = lp_entry(it).len();
        cur_sz += e;
    }
    let mut blobs = Vec::with_capacity(nodes.len());
    for n in &nodes {
        blobs.push(listpack(n));
    }
    blobs
}

/// An intset blob (`intset.c`): encoding, length, sorted little-endian values.
fn intset(vals: &[i64]) -> Vec<u8> {
    let width: usize = if vals.iter().all(|v| (i16::MIN as i64..=i16::MAX as i64).contains(v)) {
        2
    } else if vals.iter().all(|v| (i32::MIN as i64..=i32::MAX as i64).contains(v)) {
        4
    } else {
        8
    };
    let mut sorted = vals.to_vec();
    super::heapsort::sort(&mut sorted);
    let mut out = Vec::with_capacity(8 + width * sorted.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for v in sorted {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

pub(super) fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Str(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
    }
}

/// `rdbSaveObjectType` + key + `rdbSaveObject`.
fn save_key_value(out: &mut Vec<u8>, key: &[u8], v: &Value) {
    match v {
        Value::Str(s) => {
            out.push(TYPE_STRING);
            save_string(out, key);
            save_string(out, s);
        }
        Value::List(items) => {
            out.push(TYPE_LIST_QUICKLIST_2);
            save_string(out, key);
            let nodes = quicklist_nodes(items);
            save_len(out, nodes.len() as u64);
            for n in nodes {
                save_len(out, CONTAINER_PACKED);
                save_string(out, &n);
            }
        }
        Value::Hash(pairs) => {
            let small = pairs.len() <= HASH_MAX_LISTPACK_ENTRIES
                && pairs.iter().all(|(f, v)| f.len() <= HASH_MAX_LISTPACK_VALUE && v.len() <= HASH_MAX_LISTPACK_VALUE);
            if small {
                out.push(TYPE_HASH_LISTPACK);
                save_string(out, key);
                let mut items: Vec<&[u8]> = Vec::with_capacity(pairs.len() * 2);
                for (f, v) in pairs {
                    items.push(f);
                    items.push(v);
                }
                let lp = listpack(&items);
                save_string(out, &lp);
            } else {
                out.push(TYPE_HASH);
                save_string(out, key);
                save_len(out, pairs.len() as u64);
                for (f, v) in pairs {
                    save_string(out, f);
                    save_string(out, v);
                }
            }
        }
        Value::Set(members) => {
            let mut all = Vec::with_capacity(members.len());
            for m in members.iter() {
                let Some(n) = string2ll(m) else { break };
                all.push(n);
            }
            let ints = (all.len() == members.len()).then_some(all);
            match ints {
                Some(ints) if ints.len() <= SET_MAX_INTSET_ENTRIES => {
                    out.push(TYPE_SET_INTSET);
                    save_string(out, key);
                    save_string(out, &intset(&ints));
                }
                _ => {
                    out.push(TYPE_SET);
                    save_string(out, key);
                    save_len(out, members.len() as u64);
                    for m in members {
                        save_string(out, m);
                    }
                }
            }
        }
    }
}

/// `rdbSaveRio`: the complete RDB image of `ks`, as SAVE / a full sync writes it.
/// `now_ms` gives the `ctime` aux field (seconds), `used_mem` the `used-mem` one;
/// `repl` adds `repl-stream-db`/`repl-id`/`repl-offset` (`rdbPopulateSaveInfo`).
/// Empty collections are skipped (Redis never keeps them).
pub fn encode(ks: &Keyspace, now_ms: u64, used_mem: u64, repl: Option<&ReplInfo>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    save_aux(&mut out, "redis-ver", REDIS_VERSION.as_bytes());
    save_aux(&mut out, "redis-bits", b"64");
    save_aux(&mut out, "ctime", (now_ms / 1000).to_string().as_bytes());
    save_aux(&mut out, "used-mem", used_mem.to_string().as_bytes());
    if let Some(r) = repl {
        save_aux(&mut out, "repl-stream-db", (r.stream_db as i64).to_string().as_bytes());
        save_aux(&mut out, "repl-id", r.repl_id.as_bytes());
        save_aux(&mut out, "repl-offset", r.repl_offset.to_string().as_bytes());
    }
    save_aux(&mut out, "aof-base", b"0");
    for (dbid, db) in ks.dbs.iter().enumerate() {
        // One pass to count (RESIZEDB comes first) and size the output.
        let (mut keys, mut expires, mut bytes) = (0u64, 0u64, 0usize);
        for (key, e) in db.entries.iter().filter(|(_, e)| !is_empty_value(&e.value)) {
            keys += 1;
            expires += u64::from(e.expire_at_ms.is_some());
            bytes += key.len() + 12 + if let Value::Str(v) = &e.value { v.len() } else { 16 };
        }
        if keys == 0 {
            continue;
        }
        out.reserve(bytes);
        out.push(OP_SELECTDB);
        save_len(&mut out, dbid as u64);
        out.push(OP_RESIZEDB);
        save_len(&mut out, keys);
        save_len(&mut out, expires);
        for (key, entry) in db.entries.iter().filter(|(_, e)| !is_empty_value(&e.value)) {
            if let Some(ms) = entry.expire_at_ms {
                out.push(OP_EXPIRETIME_MS);
                out.extend_from_slice(&(ms as i64).to_le_bytes());
            }
            save_key_value(&mut out, key, &entry.value);
        }
    }
    out.push(OP_EOF);
    let ck = crc64(0, &out);
    out.extend_from_slice(&ck.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::keyspace::Entry;

    fn entry(value: Value, expire_at_ms: Option<u64>) -> Entry {
        Entry { value, expire_at_ms }
    }

    fn sample() -> Keyspace {
        let mut ks = Keyspace::default();
        let d0 = &mut ks.dbs[0].entries;
        d0.insert(b"s".to_vec(), entry(Value::Str(b"hello".to_vec()), None));
        d0.insert(b"n".to_vec(), entry(Value::Str(b"-12345".to_vec()), Some(1_900_000_000_123)));
        d0.insert(b"big".to_vec(), entry(Value::Str(b"9223372036854775807".to_vec()), None));
        d0.insert(b"zip".to_vec(), entry(Value::Str(vec![b'x'; 300]), None));
        d0.insert(b"empty".to_vec(), entry(Value::Str(Vec::new()), None));
        let list: VecDeque<Bytes> = (0..3000).map(|i| format!("item-{i}").into_bytes()).chain([b"-5000".to_vec(), b"70000".to_vec(), vec![b'y'; 5000]]).collect();
        d0.insert(b"list".to_vec(), entry(Value::List(list), None));
        d0.insert(b"h".to_vec(), entry(Value::Hash(vec![(b"f1".to_vec(), b"v1".to_vec()), (b"n".to_vec(), b"-3".to_vec())]), None));
        let bigh = (0..200).map(|i| (format!("f{i}").into_bytes(), vec![b'z'; 70])).collect();
        ks.dbs[3].entries.insert(b"bigh".to_vec(), entry(Value::Hash(bigh), Some(2_000_000_000_000)));
        let ints = [b"1".to_vec(), b"-40000".to_vec(), b"70000".to_vec()].into_iter().collect();
        ks.dbs[3].entries.insert(b"iset".to_vec(), entry(Value::Set(ints), None));
        let wide = [b"1".to_vec(), b"9000000000".to_vec()].into_iter().collect();
        ks.dbs[3].entries.insert(b"wset".to_vec(), entry(Value::Set(wide), None));
        let strs = [b"a".to_vec(), b"01".to_vec(), b"b".to_vec()].into_iter().collect();
        ks.dbs[15].entries.insert(b"sset".to_vec(), entry(Value::Set(strs), None));
        ks
    }

    #[test]
    fn round_trip_all_types_and_ttls() {
        let ks = sample();
        let repl = ReplInfo { repl_id: "2f0c972c88d3eb78dc32c9c72257b5c37e4a1479".into(), repl_offset: 41885, stream_db: 3 };
        let bytes = encode(&ks, 1_700_000_000_999, 1_234_567, Some(&repl));
        assert_eq!(&bytes[..9], b"REDIS0010");
        let loaded = decode(&bytes).unwrap();
        assert_eq!(loaded.keyspace, ks);
        assert_eq!(loaded.repl, Some(repl));
        let plain = decode(&encode(&ks, 0, 0, None)).unwrap();
        assert_eq!(plain.repl, None);
    }

    #[test]
    fn encodings_match_redis() {
        let mut o = Vec::new();
        for (s, want) in [
            (&b"12"[..], &[0xc0u8, 12][..]),
            (b"-129", &[0xc1, 0x7f, 0xff]),
            (b"70000", &[0xc2, 0x70, 0x11, 0x01, 0x00]),
            (b"012", &[3, b'0', b'1', b'2']),
        ] {
            o.clear();
            save_string(&mut o, s);
            assert_eq!(o, want);
        }
        o.clear();
        save_string(&mut o, &[b'a'; 21]);
        assert_eq!(o[0], 0xc3); // LZF
        assert_eq!(decode_str(&o), vec![b'a'; 21]);
        // listpack entries: small int, 13-bit negative, string
        assert_eq!(lp_entry(b"5"), vec![5, 1]);
        assert_eq!(lp_entry(b"-1"), vec![0xdf, 0xff, 2]);
        assert_eq!(lp_entry(b"ab"), vec![0x82, b'a', b'b', 3]);
        assert_eq!(intset(&[3, 1]), vec![2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 3, 0]);
        // 8 KiB quicklist nodes: 3000 short items need several nodes.
        let items: VecDeque<Bytes> = (0..3000).map(|i| format!("item-{i}").into_bytes()).collect();
        let nodes = quicklist_nodes(&items);
        assert!(nodes.len() > 1 && nodes.iter().all(|n| n.len() <= 8192));
    }

    fn decode_str(b: &[u8]) -> Bytes {
        crate::engine::rdb_load::Reader { buf: b, pos: 0 }.string().unwrap()
    }

    /// `SAVE` of an empty 7.0.15 master (no backlog, so no repl aux fields),
    /// dumped with xxd: 89 bytes, identical to ours for the same ctime/used-mem.
    #[test]
    fn empty_keyspace_matches_real_save() {
        let real: &[u8] = &[
            0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x31, 0x30, 0xfa, 0x09, 0x72, 0x65, 0x64, 0x69, 0x73,
            0x2d, 0x76, 0x65, 0x72, 0x06, 0x37, 0x2e, 0x30, 0x2e, 0x31, 0x35, 0xfa, 0x0a, 0x72, 0x65, 0x64,
            0x69, 0x73, 0x2d, 0x62, 0x69, 0x74, 0x73, 0xc0, 0x40, 0xfa, 0x05, 0x63, 0x74, 0x69, 0x6d, 0x65,
            0xc2, 0x9d, 0x56, 0x02, 0x6b, 0xfa, 0x08, 0x75, 0x73, 0x65, 0x64, 0x2d, 0x6d, 0x65, 0x6d, 0xc2,
            0x00, 0xf5, 0x0d, 0x00, 0xfa, 0x08, 0x61, 0x6f, 0x66, 0x2d, 0x62, 0x61, 0x73, 0x65, 0xc0, 0x00,
            0xff, 0x52, 0x97, 0xbc, 0x9c, 0x5f, 0xcc, 0x44, 0x86,
        ];
        assert_eq!(encode(&Keyspace::default(), 1_795_315_357_000, 914_688, None), real);
        assert!(decode(real).unwrap().keyspace.dbs.iter().all(|d| d.entries.is_empty()));
        let aux = aux_fields(real).unwrap();
        assert_eq!(aux[0], (b"redis-ver".to_vec(), b"7.0.15".to_vec()));
        assert_eq!(aux[2], (b"ctime".to_vec(), b"1795315357".to_vec()));
    }

    /// `SAVE` on 7.0.15 after `SET hello world` + `PEXPIREAT hello 1900000000123`
    /// (db0), `RPUSH l a -7 300 x*25` (db1), `HSET h f1 v1 n -3` (db2),
    /// `SADD s 1 -40000 70000` (db3), `SET z (ab)*20` (db4), `SADD t onlyone`
    /// (db5), `SET n 12345` (db6): our encoding is byte-identical.
    #[test]
    fn small_dump_matches_real_save() {
        let real: &[u8] = &[
            0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x31, 0x30, 0xfa, 0x09, 0x72, 0x65, 0x64, 0x69, 0x73,
            0x2d, 0x76, 0x65, 0x72, 0x06, 0x37, 0x2e, 0x30, 0x2e, 0x31, 0x35, 0xfa, 0x0a, 0x72, 0x65, 0x64,
            0x69, 0x73, 0x2d, 0x62, 0x69, 0x74, 0x73, 0xc0, 0x40, 0xfa, 0x05, 0x63, 0x74, 0x69, 0x6d, 0x65,
            0xc2, 0x3e, 0x57, 0x02, 0x6b, 0xfa, 0x08, 0x75, 0x73, 0x65, 0x64, 0x2d, 0x6d, 0x65, 0x6d, 0xc2,
            0x88, 0x3b, 0x10, 0x00, 0xfa, 0x08, 0x61, 0x6f, 0x66, 0x2d, 0x62, 0x61, 0x73, 0x65, 0xc0, 0x00,
            0xfe, 0x00, 0xfb, 0x01, 0x01, 0xfc, 0x7b, 0x38, 0xd3, 0x60, 0xba, 0x01, 0x00, 0x00, 0x00, 0x05,
            0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x05, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0xfe, 0x01, 0xfb, 0x01, 0x00,
            0x12, 0x01, 0x6c, 0x01, 0x02, 0xc3, 0x18, 0x2b, 0x10, 0x2b, 0x00, 0x00, 0x00, 0x04, 0x00, 0x81,
            0x61, 0x02, 0xdf, 0xf9, 0x02, 0xc1, 0x2c, 0x02, 0x99, 0x78, 0xe0, 0x0f, 0x00, 0x01, 0x1a, 0xff,
            0xfe, 0x02, 0xfb, 0x01, 0x00, 0x10, 0x01, 0x68, 0x15, 0x15, 0x00, 0x00, 0x00, 0x04, 0x00, 0x82,
            0x66, 0x31, 0x03, 0x82, 0x76, 0x31, 0x03, 0x81, 0x6e, 0x02, 0xdf, 0xfd, 0x02, 0xff, 0xfe, 0x03,
            0xfb, 0x01, 0x00, 0x0b, 0x01, 0x73, 0x14, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xc0,
            0x63, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x70, 0x11, 0x01, 0x00, 0xfe, 0x04, 0xfb, 0x01, 0x00,
            0x00, 0x01, 0x7a, 0xc3, 0x0a, 0x28, 0x02, 0x61, 0x62, 0x61, 0xe0, 0x1a, 0x01, 0x01, 0x61, 0x62,
            0xfe, 0x05, 0xfb, 0x01, 0x00, 0x02, 0x01, 0x74, 0x01, 0x07, 0x6f, 0x6e, 0x6c, 0x79, 0x6f, 0x6e,
            0x65, 0xfe, 0x06, 0xfb, 0x01, 0x00, 0x00, 0x01, 0x6e, 0xc1, 0x39, 0x30, 0xff, 0xb5, 0xdb, 0x54,
            0x64, 0xe5, 0x6f, 0x46, 0xbd,
        ];
        let loaded = decode(real).unwrap();
        let d = &loaded.keyspace.dbs;
        assert_eq!(d[0].entries[b"hello".as_slice()].expire_at_ms, Some(1_900_000_000_123));
        let l: Vec<&[u8]> = match &d[1].entries[b"l".as_slice()].value {
            Value::List(l) => l.iter().map(|x| x.as_slice()).collect(),
            _ => panic!("list"),
        };
        assert_eq!(l, vec![&b"a"[..], b"-7", b"300", &[b'x'; 25]]);
        assert_eq!(d[6].entries[b"n".as_slice()].value, Value::Str(b"12345".to_vec()));
        assert_eq!(encode(&loaded.keyspace, 1_795_315_518_000, 1_063_816, None), real);
    }

    #[test]
    fn garbage_is_rejected_without_panic() {
        let big = encode(&sample(), 1, 2, None);
        assert!(decode(&big[..big.len() - 1]).is_err());
        assert_eq!(decode(b"RUBBISH00"), Err(RdbError::WrongSignature));
        assert_eq!(decode(b"REDIS0011"), Err(RdbError::UnsupportedVersion(11)));
        let mut bad = big.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert!(matches!(decode(&bad), Err(RdbError::ChecksumMismatch { .. })));
        // huge lengths must not allocate
        let mut huge = b"REDIS0010".to_vec();
        huge.extend_from_slice(&[0, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert!(decode(&huge).is_err());
        let mut lz = b"REDIS0010".to_vec();
        lz.extend_from_slice(&[0, 1, b'k', 0xc3, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
        assert!(decode(&lz).is_err());
        // flip every byte of a small file: errors or loads, never panics
        let mut ks = sample();
        ks.dbs[0].entries.remove(b"list".as_slice());
        ks.dbs[3].entries.remove(b"bigh".as_slice());
        let short: VecDeque<Bytes> = [b"a".to_vec(), b"-7".to_vec(), b"300".to_vec()].into_iter().collect();
        ks.dbs[0].entries.insert(b"sl".to_vec(), entry(Value::List(short), None));
        let small = encode(&ks, 1, 2, None);
        for cut in 0..small.len() {
            assert!(decode(&small[..cut]).is_err());
        }
        for i in 9..small.len() {
            let mut m = small.clone();
            m[i] = m[i].wrapping_add(0x55);
            let _ = decode(&m);
        }
    }
}
