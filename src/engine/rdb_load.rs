//! Reading RDB files (`rdbLoadRio` / `rdbLoadObject`), for the subset of
//! types this engine models.
//!
//! A real server loads a big file in steps: every
//! `loading-process-events-interval-bytes` (2 MB) it stops to serve clients
//! (`-LOADING` to most commands) and to send the master a keepalive
//! newline. [`Loader`] is that parser, resumable between steps; [`decode`]
//! runs it to the end in one go.

use super::crc64::crc64;
use super::keyspace::{Bytes, Entry, Keyspace, Value, DATABASES};
use super::lzf;
use super::rdb::*;
use super::vecmap::VecSet;
use std::collections::VecDeque;

/// A cursor over an RDB image (`rio` reading a file).
pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        if n > self.remaining() {
            return Err(RdbError::UnexpectedEof);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, RdbError> {
        Ok(self.take(1)?[0])
    }
    /// `rdbLoadLenByRef`: (value, is_encoded).
    fn len_enc(&mut self) -> Result<(u64, bool), RdbError> {
        let b = self.u8()?;
        match b >> 6 {
            3 => Ok(((b & 0x3f) as u64, true)),
            0 => Ok(((b & 0x3f) as u64, false)),
            1 => Ok(((((b & 0x3f) as u64) << 8) | self.u8()? as u64, false)),
            _ if b == 0x80 => Ok((u32::from_be_bytes(self.take(4)?.try_into().unwrap()) as u64, false)),
            _ if b == 0x81 => Ok((u64::from_be_bytes(self.take(8)?.try_into().unwrap()), false)),
            _ => Err(RdbError::Corrupt("Unknown length encoding in rdbLoadLen()")),
        }
    }
    fn len(&mut self) -> Result<u64, RdbError> {
        match self.len_enc()? {
            (v, false) => Ok(v),
            _ => Err(RdbError::Corrupt("unexpected encoded length")),
        }
    }
    /// A collection count: each element needs at least one byte, so a count
    /// beyond the remaining input is corrupt (bounds allocations).
    fn count(&mut self) -> Result<usize, RdbError> {
        let n = self.len()?;
        if n > self.remaining() as u64 {
            return Err(RdbError::UnexpectedEof);
        }
        Ok(n as usize)
    }
    /// `rdbGenericLoadStringObject`.
    pub(super) fn string(&mut self) -> Result<Bytes, RdbError> {
        let (len, enc) = self.len_enc()?;
        if !enc {
            let n = usize::try_from(len).map_err(|_| RdbError::UnexpectedEof)?;
            return Ok(self.take(n)?.to_vec());
        }
        let v: i64 = match len {
            ENC_INT8 => self.u8()? as i8 as i64,
            ENC_INT16 => i16::from_le_bytes(self.take(2)?.try_into().unwrap()) as i64,
            ENC_INT32 => i32::from_le_bytes(self.take(4)?.try_into().unwrap()) as i64,
            ENC_LZF => {
                let clen = self.len()?;
                let ulen = self.len()?;
                if clen > self.remaining() as u64 {
                    return Err(RdbError::UnexpectedEof);
                }
                // A 3-byte back reference expands to at most 264 bytes.
                if ulen > clen.saturating_mul(88) + 64 {
                    return Err(RdbError::Corrupt("Invalid LZF compressed string"));
                }
                let c = self.take(clen as usize)?;
                return lzf::decompress(c, ulen as usize).ok_or(RdbError::Corrupt("Invalid LZF compressed string"));
            }
            _ => return Err(RdbError::Corrupt("Unknown RDB string encoding type")),
        };
        Ok(v.to_string().into_bytes())
    }
}

/// Decodes the entries of a listpack blob (`lpValidateIntegrity` + `lpGet`).
fn listpack_items(lp: &[u8]) -> Result<Vec<Bytes>, RdbError> {
    const BAD: RdbError = RdbError::Corrupt("Listpack integrity check failed.");
    if lp.len() < 7 || u32::from_le_bytes(lp[0..4].try_into().unwrap()) as usize != lp.len() || lp[lp.len() - 1] != 0xff {
        return Err(BAD);
    }
    let declared = u16::from_le_bytes([lp[4], lp[5]]);
    let mut items = Vec::new();
    let mut p = 6usize;
    let end = lp.len() - 1;
    let get = |from: usize, n: usize| -> Result<&[u8], RdbError> {
        if from + n > end { Err(BAD) } else { Ok(&lp[from..from + n]) }
    };
    while p < end {
        let b = lp[p];
        let (item, enc_len): (Bytes, usize) = if b & 0x80 == 0 {
            ((b as i64).to_string().into_bytes(), 1)
        } else if b & 0xc0 == 0x80 {
            let n = (b & 0x3f) as usize;
            (get(p + 1, n)?.to_vec(), 1 + n)
        } else if b & 0xe0 == 0xc0 {
            let lo = get(p + 1, 1)?[0] as i64;
            let u = (((b & 0x1f) as i64) << 8) | lo;
            let v = if u >= 1 << 12 { u - (1 << 13) } else { u };
            (v.to_string().into_bytes(), 2)
        } else if b & 0xf0 == 0xe0 {
            let n = (((b & 0x0f) as usize) << 8) | get(p + 1, 1)?[0] as usize;
            (get(p + 2, n)?.to_vec(), 2 + n)
        } else {
            match b {
                0xf0 => {
                    let n = u32::from_le_bytes(get(p + 1, 4)?.try_into().unwrap()) as usize;
                    (get(p + 5, n)?.to_vec(), 5 + n)
                }
                // Every integer as i64: one integer-to-text function in the wasm.
                0xf1 => ((i16::from_le_bytes(get(p + 1, 2)?.try_into().unwrap()) as i64).to_string().into_bytes(), 3),
                0xf2 => {
                    let s = get(p + 1, 3)?;
                    let v = (i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) as i64;
                    (v.to_string().into_bytes(), 4)
                }
                0xf3 => ((i32::from_le_bytes(get(p + 1, 4)?.try_into().unwrap()) as i64).to_string().into_bytes(), 5),
                0xf4 => (i64::from_le_bytes(get(p + 1, 8)?.try_into().unwrap()).to_string().into_bytes(), 9),
                _ => return Err(BAD),
            }
        };
        let back = lp_backlen(enc_len);
        if get(p + enc_len, back.len())? != back.as_slice() {
            return Err(BAD);
        }
        p += enc_len + back.len();
        items.push(item);
    }
    if declared != u16::MAX && declared as usize != items.len() {
        return Err(BAD);
    }
    Ok(items)
}

/// Decodes an intset blob into decimal members.
fn intset_items(blob: &[u8]) -> Result<Vec<Bytes>, RdbError> {
    const BAD: RdbError = RdbError::Corrupt("Intset integrity check failed.");
    if blob.len() < 8 {
        return Err(BAD);
    }
    let width = u32::from_le_bytes(blob[0..4].try_into().unwrap()) as usize;
    let n = u32::from_le_bytes(blob[4..8].try_into().unwrap()) as usize;
    if !matches!(width, 2 | 4 | 8) || n.checked_mul(width).map(|b| b + 8) != Some(blob.len()) {
        return Err(BAD);
    }
    let mut items = Vec::with_capacity(n);
    for c in blob[8..].chunks(width) {
        let v = match width {
            2 => i16::from_le_bytes(c.try_into().unwrap()) as i64,
            4 => i32::from_le_bytes(c.try_into().unwrap()) as i64,
            _ => i64::from_le_bytes(c.try_into().unwrap()),
        };
        items.push(v.to_string().into_bytes());
    }
    Ok(items)
}

fn pairs(items: Vec<Bytes>) -> Result<Vec<(Bytes, Bytes)>, RdbError> {
    if !items.len().is_multiple_of(2) {
        return Err(RdbError::Corrupt("Hash listpack with an odd number of entries"));
    }
    let mut it = items.into_iter();
    let mut out = Vec::new();
    while let (Some(f), Some(v)) = (it.next(), it.next()) {
        out.push((f, v));
    }
    Ok(out)
}

/// `rdbLoadObject` for the types this engine models.
fn load_value(r: &mut Reader, t: u8) -> Result<Value, RdbError> {
    Ok(match t {
        TYPE_STRING => Value::Str(r.string()?),
        TYPE_LIST => {
            let n = r.count()?;
            let mut l = VecDeque::new();
            for _ in 0..n {
                l.push_back(r.string()?);
            }
            Value::List(l)
        }
        TYPE_SET => {
            let n = r.count()?;
            let mut s = VecSet::new();
            for _ in 0..n {
                s.insert(r.string()?);
            }
            Value::Set(s)
        }
        TYPE_HASH => {
            let n = r.count()?;
            let mut h: Vec<(Bytes, Bytes)> = Vec::new();
            for _ in 0..n {
                let f = r.string()?;
                let v = r.string()?;
                h.push((f, v));
            }
            Value::Hash(h)
        }
        TYPE_SET_INTSET => {
            let mut s = VecSet::new();
            s.extend(intset_items(&r.string()?)?);
            Value::Set(s)
        }
        TYPE_HASH_LISTPACK => Value::Hash(pairs(listpack_items(&r.string()?)?)?),
        TYPE_LIST_QUICKLIST_2 => {
            let n = r.count()?;
            let mut l = VecDeque::new();
            for _ in 0..n {
                let container = r.len()?;
                let blob = r.string()?;
                if blob.is_empty() {
                    return Err(RdbError::Corrupt("Quicklist integrity check failed."));
                }
                match container {
                    CONTAINER_PLAIN => l.push_back(blob),
                    CONTAINER_PACKED => l.extend(listpack_items(&blob)?),
                    _ => return Err(RdbError::Corrupt("Quicklist integrity check failed.")),
                }
            }
            Value::List(l)
        }
        other => return Err(RdbError::UnsupportedType(other)),
    })
}

/// The leading AUX fields of an RDB image (`redis-ver`, `ctime`, ...), in file
/// order, as `rdbLoadRio` logs them ("Loading RDB produced by version ...").
pub fn aux_fields(bytes: &[u8]) -> Result<Vec<(Bytes, Bytes)>, RdbError> {
    let mut r = Reader { buf: bytes, pos: 9 };
    if bytes.len() < 9 || &bytes[..5] != b"REDIS" {
        return Err(RdbError::WrongSignature);
    }
    let mut out = Vec::new();
    while r.u8()? == OP_AUX {
        let k = r.string()?;
        out.push((k, r.string()?));
    }
    Ok(out)
}

/// `rdbLoadRio` in steps: the parser's state between two chunks of a load.
/// Keys whose TTL has passed are kept (the caller decides, as a master
/// drops them and a replica keeps them); empty collections are skipped. A
/// zero stored checksum is not verified.
#[derive(Debug)]
pub struct Loader {
    pos: usize,
    ver: u32,
    keyspace: Keyspace,
    db: usize,
    expire: Option<u64>,
    repl_id: Option<String>,
    repl_offset: i64,
    stream_db: i32,
    used_mem: u64,
    keys: u64,
    done: bool,
}

impl Loader {
    /// Checks the `REDIS0010` signature of `bytes` and gets ready to read.
    pub fn new(bytes: &[u8]) -> Result<Loader, RdbError> {
        let mut r = Reader { buf: bytes, pos: 0 };
        let magic = r.take(9).map_err(|_| RdbError::WrongSignature)?;
        if &magic[..5] != b"REDIS" {
            return Err(RdbError::WrongSignature);
        }
        let ver_txt = std::str::from_utf8(&magic[5..]).map_err(|_| RdbError::UnsupportedVersion(0))?;
        let ver: u32 = super::text::uint(ver_txt).ok_or(RdbError::UnsupportedVersion(0))?;
        if !(1..=RDB_VERSION).contains(&ver) {
            return Err(RdbError::UnsupportedVersion(ver));
        }
        Ok(Loader {
            pos: r.pos,
            ver,
            keyspace: Keyspace::default(),
            db: 0,
            expire: None,
            repl_id: None,
            repl_offset: -1,
            stream_db: -1,
            used_mem: 0,
            keys: 0,
            done: false,
        })
    }

    /// Bytes of the file read so far (`loading_loaded_bytes`).
    pub fn loaded_bytes(&self) -> usize {
        self.pos
    }

    /// Keys read so far (`rdb_last_load_keys_loaded` while loading).
    pub fn keys_loaded(&self) -> u64 {
        self.keys
    }

    /// The databases as far as they are read.
    pub fn keyspace(&self) -> &Keyspace {
        &self.keyspace
    }

    /// The `used-mem` aux field once read (`loading_rdb_used_mem`).
    pub fn rdb_used_mem(&self) -> u64 {
        self.used_mem
    }

    /// True once the EOF opcode and the checksum were read.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Reads on from where the last step stopped until `budget` more
    /// bytes are read (at least one entry, whole entries only) or the file ends. Returns
    /// whether the file is complete. `bytes` must be the same every call.
    pub fn step(&mut self, bytes: &[u8], budget: usize) -> Result<bool, RdbError> {
        let mut r = Reader { buf: bytes, pos: self.pos };
        let stop = self.pos.saturating_add(budget);
        while !self.done {
            self.entry(&mut r, bytes)?;
            if r.pos >= stop {
                break;
            }
        }
        self.pos = r.pos;
        Ok(self.done)
    }

    /// One opcode and what follows it.
    fn entry(&mut self, r: &mut Reader, bytes: &[u8]) -> Result<(), RdbError> {
        let t = r.u8()?;
        match t {
            OP_EXPIRETIME => {
                let s = i32::from_le_bytes(r.take(4)?.try_into().unwrap());
                self.expire = Some((s as i64 * 1000) as u64);
            }
            OP_EXPIRETIME_MS => self.expire = Some(i64::from_le_bytes(r.take(8)?.try_into().unwrap()) as u64),
            OP_FREQ => {
                r.u8()?;
            }
            OP_IDLE => {
                r.len()?;
            }
            OP_EOF => {
                if self.ver >= 5 {
                    let body_len = r.pos;
                    let stored = u64::from_le_bytes(r.take(8)?.try_into().unwrap());
                    if stored != 0 {
                        let computed = crc64(0, &bytes[..body_len]);
                        if computed != stored {
                            return Err(RdbError::ChecksumMismatch { stored, computed });
                        }
                    }
                }
                self.done = true;
            }
            OP_SELECTDB => {
                let n = r.len()?;
                if n >= DATABASES as u64 {
                    return Err(RdbError::DbOutOfRange(n));
                }
                self.db = n as usize;
            }
            OP_RESIZEDB => {
                // `dictExpand` ahead of the keys; a key takes at least a few
                // bytes, so a hostile size cannot reserve more than the file.
                let keys = r.len()?;
                r.len()?;
                let keys = usize::try_from(keys).unwrap_or(usize::MAX).min(r.remaining() / 4);
                self.keyspace.dbs[self.db].entries.reserve(keys);
            }
            OP_AUX => {
                let k = r.string()?;
                let v = r.string()?;
                let num = || String::from_utf8_lossy(&v).trim().parse::<i64>().unwrap_or(0);
                match k.to_ascii_lowercase().as_slice() {
                    b"repl-stream-db" => self.stream_db = num() as i32,
                    // Redis takes any 40 bytes; replids here are text, so a
                    // 40-byte id that is not UTF-8 counts as absent (a lossy
                    // conversion would change its length).
                    b"repl-id" if v.len() == 40 => self.repl_id = std::str::from_utf8(&v).ok().map(str::to_string).or(self.repl_id.take()),
                    b"repl-offset" => self.repl_offset = num(),
                    b"used-mem" => self.used_mem = num().max(0) as u64,
                    _ => {}
                }
            }
            0..=7 | 9..=19 => {
                let key = r.string()?;
                let value = load_value(r, t)?;
                let exp = self.expire.take();
                if !is_empty_value(&value) {
                    self.keyspace.dbs[self.db].entries.insert(key, Entry { value, expire_at_ms: exp });
                    self.keys += 1;
                }
            }
            other => return Err(RdbError::UnsupportedOpcode(other)),
        }
        Ok(())
    }

    /// The databases and replication info read (call once [`Loader::is_done`]).
    pub fn finish(self) -> Loaded {
        let (stream_db, repl_offset) = (self.stream_db, self.repl_offset);
        let repl = self.repl_id.map(|repl_id| ReplInfo { repl_id, repl_offset, stream_db });
        Loaded { keyspace: self.keyspace, repl }
    }
}

/// `rdbLoadRio` in one go: parses a whole RDB image (see [`Loader`]).
pub fn decode(bytes: &[u8]) -> Result<Loaded, RdbError> {
    let mut loader = Loader::new(bytes)?;
    while !loader.step(bytes, usize::MAX)? {}
    Ok(loader.finish())
}
