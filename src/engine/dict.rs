//! `dict`: the hash table a Redis database keeps its keys in.
//!
//! Redis looks keys up by hash, so a lookup costs the same with ten keys or
//! ten million. This table does the same, and stays deterministic: the hash
//! is a fixed 64-bit function of the key bytes (the same on every platform),
//! and iteration follows a dense entry array, so the order depends only on
//! the operations done, never on the machine. Like Redis's own dict order it
//! is not sorted; KEYS, the RDB file and active expiry follow it.
//!
//! Layout: entries live in a `Vec` in insertion order (a removal moves the
//! last entry into the hole), and an open-addressing index with linear
//! probing maps hashes to entry positions. The index is kept at most half
//! full and deletions shift back, so there are no tombstones.

use std::fmt;

/// A key's 64-bit hash: the bytes folded eight at a time, then mixed
/// (`fmix64` of MurmurHash3) so that the low bits are well spread.
pub fn hash(key: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (key.len() as u64).wrapping_mul(K);
    // Index arithmetic, not `chunks_exact`: in wasm at opt-level "z" its
    // `next` is a call per word.
    let whole = key.len() & !7;
    let mut i = 0;
    while i < whole {
        h = (h.rotate_left(23) ^ super::sds::word(key, i)).wrapping_mul(K);
        i += 8;
    }
    if whole < key.len() {
        // The last one to seven bytes, little-endian as if zero-padded (a
        // loop: `copy_from_slice` of a short slice is a call in wasm).
        let mut w = 0u64;
        let mut j = whole;
        while j < key.len() {
            w |= u64::from(key[j]) << (8 * (j - whole));
            j += 1;
        }
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// An index slot that holds no entry.
const EMPTY: u32 = u32::MAX;

/// One stored key with its cached hash.
#[derive(Clone)]
struct Slot<V> {
    hash: u64,
    key: Vec<u8>,
    value: V,
}

/// A deterministic hash table from binary keys to `V` (Redis's `dict`).
#[derive(Clone)]
pub struct Dict<V> {
    entries: Vec<Slot<V>>,
    /// Open-addressing index: positions into `entries`, or [`EMPTY`].
    index: Vec<u32>,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Dict {
            entries: Vec::new(),
            index: Vec::new(),
        }
    }
}

impl<V> Dict<V> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys (`dictSize`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table holds no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn mask(&self) -> usize {
        self.index.len().wrapping_sub(1)
    }

    /// The index position holding `key`, if present.
    fn find(&self, key: &[u8], h: u64) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut p = h as usize & mask;
        // Slices, not the Vecs: in wasm at opt-level "z" a Vec index is a call.
        let (index, entries) = (&self.index[..], &self.entries[..]);
        loop {
            let e = index[p];
            if e == EMPTY {
                return None;
            }
            let s = &entries[e as usize];
            if s.hash == h && super::sds::eq(&s.key, key) {
                return Some(p);
            }
            p = (p + 1) & mask;
        }
    }

    /// The value stored under `key` (`dictFind`).
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        let p = self.find(key, hash(key))?;
        Some(&self.entries[self.index[p] as usize].value)
    }

    /// The value stored under `key`, to change in place.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let p = self.find(key, hash(key))?;
        let e = self.index[p] as usize;
        Some(&mut self.entries[e].value)
    }

    /// Where `key` sits in iteration order, for a caller that looks at an
    /// entry before deciding to change it. Valid until the next insert or
    /// removal.
    #[inline(always)]
    pub fn position(&self, key: &[u8]) -> Option<usize> {
        // `?`, not `map`: the closure would be a call in wasm.
        let p = self.find(key, hash(key))?;
        Some(self.index[p] as usize)
    }

    /// The value at a [`Dict::position`].
    #[inline(always)]
    pub fn value_at(&self, pos: usize) -> &V {
        &self.entries[pos].value
    }

    /// The value at a [`Dict::position`], to change in place.
    #[inline(always)]
    pub fn value_at_mut(&mut self, pos: usize) -> &mut V {
        &mut self.entries[pos].value
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key, hash(key)).is_some()
    }

    /// Stores `value` under `key` and returns the value it replaced, if any
    /// (`dictReplace`). A new key goes to the end of the iteration order.
    pub fn insert(&mut self, key: Vec<u8>, value: V) -> Option<V> {
        let h = hash(&key);
        if let Some(p) = self.find(&key, h) {
            let e = self.index[p] as usize;
            return Some(std::mem::replace(&mut self.entries[e].value, value));
        }
        if (self.entries.len() + 1) * 2 > self.index.len() {
            self.grow();
        }
        let pos = self.entries.len() as u32;
        self.entries.push(Slot {
            hash: h,
            key,
            value,
        });
        self.place(h, pos);
        None
    }

    /// Puts entry position `pos` into the first free index slot for `h`.
    fn place(&mut self, h: u64, pos: u32) {
        let mask = self.mask();
        let mut p = h as usize & mask;
        while self.index[p] != EMPTY {
            p = (p + 1) & mask;
        }
        self.index[p] = pos;
    }

    /// Makes room for `additional` more keys at once (`dictExpand`), as RDB
    /// loading does when the file announces a database's size.
    pub fn reserve(&mut self, additional: usize) {
        let want = (self.entries.len() + additional).saturating_mul(2);
        if want > self.index.len() {
            self.entries.reserve(additional);
            self.reindex(want.next_power_of_two());
        }
    }

    /// Doubles the index and re-places every entry.
    fn grow(&mut self) {
        let size = (self.index.len() * 2).max(8);
        self.reindex(size);
    }

    fn reindex(&mut self, size: usize) {
        self.index = vec![EMPTY; size];
        for i in 0..self.entries.len() {
            let h = self.entries[i].hash;
            self.place(h, i as u32);
        }
    }

    /// Removes `key` and returns its value (`dictDelete`). The last entry in
    /// iteration order takes the removed one's place.
    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        let p = self.find(key, hash(key))?;
        let e = self.index[p] as usize;
        self.unlink(p);
        let last = self.entries.len() - 1;
        if e != last {
            let moved = self
                .find(&self.entries[last].key, self.entries[last].hash)
                .expect("every entry is indexed");
            self.index[moved] = e as u32;
        }
        Some(self.entries.swap_remove(e).value)
    }

    /// Empties index slot `p`, shifting later entries of the probe run back
    /// so every entry stays reachable from its home slot.
    fn unlink(&mut self, p: usize) {
        let mask = self.mask();
        let mut hole = p;
        let mut j = (p + 1) & mask;
        loop {
            let e = self.index[j];
            if e == EMPTY {
                break;
            }
            let home = self.entries[e as usize].hash as usize & mask;
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.index[hole] = e;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.index[hole] = EMPTY;
    }

    /// Removes every key (`dictEmpty`).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
    }

    /// Keeps only the keys `keep` accepts, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&[u8], &V) -> bool) {
        let before = self.entries.len();
        self.entries.retain(|s| keep(&s.key, &s.value));
        if self.entries.len() != before {
            let size = self.index.len();
            self.reindex(size);
        }
    }

    /// Keys and values in iteration order (a `dictIterator`).
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &V)> + '_ {
        self.entries.iter().map(|s| (&s.key, &s.value))
    }

    /// Takes every key and value out, in iteration order.
    pub fn into_entries(self) -> impl Iterator<Item = (Vec<u8>, V)> {
        self.entries.into_iter().map(|s| (s.key, s.value))
    }

    /// Keys in iteration order.
    pub fn keys(&self) -> impl Iterator<Item = &Vec<u8>> + '_ {
        self.entries.iter().map(|s| &s.key)
    }

    /// Values in iteration order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.entries.iter().map(|s| &s.value)
    }
}

impl<V> std::ops::Index<&[u8]> for Dict<V> {
    type Output = V;
    fn index(&self, key: &[u8]) -> &V {
        self.get(key).expect("key present in dict")
    }
}

/// Two tables are equal when they hold the same keys with equal values,
/// whatever their order.
impl<V: PartialEq> PartialEq for Dict<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<V: Eq> Eq for Dict<V> {}

impl<V: fmt::Debug> fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (String::from_utf8_lossy(k), v)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_like_a_map_under_random_operations() {
        let mut d: Dict<u64> = Dict::new();
        let mut m: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut x: u64 = 12345;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = format!("k{}", x % 3000).into_bytes();
            match x % 5 {
                0 | 1 => assert_eq!(d.insert(key.clone(), i), m.insert(key, i)),
                2 => assert_eq!(d.remove(&key), m.remove(&key)),
                3 => assert_eq!(d.get(&key), m.get(&key)),
                _ => {
                    if let Some(v) = d.get_mut(&key) {
                        *v += 1;
                    }
                    if let Some(v) = m.get_mut(&key) {
                        *v += 1;
                    }
                }
            }
            assert_eq!(d.len(), m.len());
        }
        let mut all: Vec<(Vec<u8>, u64)> = d.iter().map(|(k, v)| (k.clone(), *v)).collect();
        all.sort();
        assert_eq!(all, m.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn order_follows_operations_not_the_machine() {
        let mut d: Dict<()> = Dict::new();
        for k in ["b", "a", "c", "d"] {
            d.insert(k.into(), ());
        }
        d.remove(b"a");
        let keys: Vec<&[u8]> = d.keys().map(|k| k.as_slice()).collect();
        assert_eq!(keys, [b"b", b"d", b"c"]);
        // The hash is fixed, so tables built the same way on any platform agree.
        assert_eq!(hash(b"key:1"), hash(b"key:1"));
        assert_ne!(hash(b"key:1"), hash(b"key:2"));
        // And it stays what it was (the tail's bytes read one by one):
        // lengths with and without a partial last word.
        assert_eq!(hash(b"key:1"), 12138855510229655496);
        assert_eq!(hash(b"key:12345678"), 16198817437324281823);
        assert_eq!(hash(b"key:123456789ab"), 10277165556680612137);
    }

    #[test]
    fn retain_and_clear() {
        let mut d: Dict<u32> = Dict::new();
        for i in 0..100u32 {
            d.insert(i.to_string().into_bytes(), i);
        }
        d.retain(|_, v| v % 3 == 0);
        assert_eq!(d.len(), 34);
        assert!(d.contains_key(b"99") && !d.contains_key(b"98"));
        assert_eq!(d[b"99".as_slice()], 99);
        d.clear();
        assert!(d.is_empty() && d.get(b"99").is_none());
        d.insert(b"x".to_vec(), 1);
        assert_eq!(d.get(b"x"), Some(&1));
    }

    #[test]
    fn equality_ignores_order() {
        let mut a: Dict<u8> = Dict::new();
        let mut b: Dict<u8> = Dict::new();
        a.insert(b"1".to_vec(), 1);
        a.insert(b"2".to_vec(), 2);
        b.insert(b"2".to_vec(), 2);
        b.insert(b"1".to_vec(), 1);
        assert_eq!(a, b);
        b.insert(b"1".to_vec(), 9);
        assert_ne!(a, b);
    }
}
