//! The Redis 7.0 replication backlog (`server.repl_backlog`) over the shared
//! replication buffer (PR #9166): a list of `replBufBlock`s that the backlog
//! and the replicas reference, fed by `feedReplicationBuffer` and trimmed
//! whole blocks at a time by `incrementalTrimReplicationBacklog` (after a
//! block is added, and in every `beforeSleep`: see [`Backlog::before_sleep`]).

/// `CONFIG_REPL_BACKLOG_MIN_SIZE`: the smallest backlog (16 KiB).
pub const REPL_BACKLOG_MIN_SIZE: u64 = 16 * 1024;
/// `PROTO_REPLY_CHUNK_BYTES`: the smallest block request (16 KiB).
pub const PROTO_REPLY_CHUNK_BYTES: usize = 16 * 1024;
/// `sizeof(replBufBlock)` on 64-bit: the header in front of each block's data.
pub const BLOCK_HEADER_BYTES: usize = 40;
/// `sizeof(listNode)` on 64-bit, counted in `repl_buffer_mem`.
const LIST_NODE_BYTES: u64 = 24;
/// `REPL_BACKLOG_TRIM_BLOCKS_PER_CALL`: at most this many blocks freed per trim.
pub const REPL_BACKLOG_TRIM_BLOCKS_PER_CALL: usize = 64;

/// jemalloc 5.3 usable size for a request of `size` bytes (`zmalloc_usable`):
/// 8, then multiples of 16 up to 128, then 4 size classes per doubling
/// (e.g. 16424 -> 20480).
pub fn jemalloc_usable(size: usize) -> usize {
    if size <= 8 {
        return 8;
    }
    if size <= 128 {
        return (size + 15) & !15;
    }
    let lg = usize::BITS - 1 - (size - 1).leading_zeros(); // floor(log2(size-1))
    let delta = 1usize << (lg - 2);
    (size + delta - 1) & !(delta - 1)
}

/// One `replBufBlock`: `size` (capacity), `used`, `repl_offset`, `buf`.
#[derive(Clone, Debug)]
struct Block {
    repl_offset: u64,
    capacity: usize,
    data: Vec<u8>,
}

/// A block as INFO-style accessors report it, for drawing the backlog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// `repl_offset`: replication offset of the block's first byte.
    pub repl_offset: u64,
    /// `used`: bytes written into the block.
    pub used: usize,
    /// `size`: usable bytes (jemalloc usable size minus the 40-byte header).
    pub capacity: usize,
}

/// The replication backlog: `repl_backlog_size`, `master_repl_offset`,
/// `histlen`, `offset` (first byte) and the buffer block list.
#[derive(Clone, Debug)]
pub struct Backlog {
    size: u64,
    master_repl_offset: u64,
    histlen: u64,
    offset: u64,
    /// Oldest first. A `Vec`, not a `VecDeque`: the newest block is read on
    /// every write and `VecDeque::back` is a call in wasm; freeing the
    /// oldest shifts a few dozen small headers, once per block of stream.
    blocks: Vec<Block>,
}

impl Backlog {
    /// `createReplicationBacklog`: empty backlog whose first byte will be
    /// `master_repl_offset + 1`. A size below 16 KiB is used as given, as at
    /// startup (only `resize` clamps).
    pub fn new(size: u64, master_repl_offset: u64) -> Backlog {
        Backlog { size, master_repl_offset, histlen: 0, offset: master_repl_offset + 1, blocks: Vec::new() }
    }

    /// `feedReplicationBuffer`: appends `bytes` to the stream. Fills the tail
    /// block, then adds blocks of `min(max(len,16K), max(size/16,16K))` request
    /// bytes; after each added block, trims (see [`Backlog::trim`]).
    /// `min_ref_offset` is the lowest offset some replica has not yet written
    /// to its socket (`None` when no replica holds a block).
    pub fn feed(&mut self, mut bytes: &[u8], min_ref_offset: Option<u64>) {
        while !bytes.is_empty() {
            bytes = self.fill_tail(bytes);
            if !bytes.is_empty() {
                let limit = ((self.size / 16) as usize).max(PROTO_REPLY_CHUNK_BYTES);
                let request = bytes.len().max(PROTO_REPLY_CHUNK_BYTES).min(limit);
                let capacity = jemalloc_usable(request + BLOCK_HEADER_BYTES) - BLOCK_HEADER_BYTES;
                let copy = capacity.min(bytes.len());
                let mut data = Vec::with_capacity(capacity);
                data.extend_from_slice(&bytes[..copy]);
                self.blocks.push(Block { repl_offset: self.master_repl_offset + 1, capacity, data });
                bytes = &bytes[copy..];
                self.master_repl_offset += copy as u64;
                self.histlen += copy as u64;
                self.trim(min_ref_offset);
            }
        }
    }

    /// `incrementalTrimReplicationBacklog(64)`: while `histlen > size`, frees the
    /// first block unless it is the only one, a replica still needs bytes in it
    /// (`min_ref_offset <= last offset in the block`), or freeing it would leave
    /// `histlen <= size`. Redis calls this after adding a block, when a replica
    /// disconnects, and when a replica's writer moves on to the next block.
    pub fn trim(&mut self, min_ref_offset: Option<u64>) {
        self.trim_blocks(min_ref_offset, REPL_BACKLOG_TRIM_BLOCKS_PER_CALL);
    }

    /// `beforeSleep`'s `incrementalTrimReplicationBacklog(10*64)`: run once per
    /// event-loop iteration, after the commands of that iteration were fed.
    /// After it the backlog is fully trimmed, whatever the write boundaries.
    pub fn before_sleep(&mut self, min_ref_offset: Option<u64>) {
        self.trim_blocks(min_ref_offset, 10 * REPL_BACKLOG_TRIM_BLOCKS_PER_CALL);
    }

    /// Whether the oldest block may be freed as far as the size goes: it is
    /// not the only one, and without it more than `size` bytes remain. (A
    /// trim frees it if, besides, no replica still needs its bytes.)
    #[inline(always)]
    pub fn trimmable(&self) -> bool {
        let first = match self.blocks.first() {
            Some(b) => b.capacity as u64,
            None => 0,
        };
        self.blocks.len() > 1 && self.histlen.saturating_sub(first) > self.size
    }

    /// Bytes the last block still takes before [`Backlog::feed`] must add one.
    #[inline(always)]
    pub fn tail_room(&self) -> usize {
        match self.blocks.last() {
            Some(b) => b.capacity - b.data.len(),
            None => 0,
        }
    }

    /// The first step of [`Backlog::feed`]: copies what fits into the last
    /// block, returns the rest (for which blocks must be added, and trims
    /// may follow).
    pub fn fill_tail<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let Some(tail) = self.blocks.last_mut() else { return bytes };
        let copy = (tail.capacity - tail.data.len()).min(bytes.len());
        super::sds::cat(&mut tail.data, &bytes[..copy]);
        self.master_repl_offset += copy as u64;
        self.histlen += copy as u64;
        &bytes[copy..]
    }

    fn trim_blocks(&mut self, min_ref_offset: Option<u64>, max_blocks: usize) {
        let mut trimmed = 0;
        while trimmed < max_blocks && self.trimmable() {
            let first = &self.blocks[0];
            let last_byte = first.repl_offset + first.data.len() as u64 - 1;
            if min_ref_offset.is_some_and(|m| m <= last_byte) {
                break;
            }
            self.histlen -= first.capacity as u64;
            self.blocks.remove(0);
            trimmed += 1;
        }
        self.offset = self.master_repl_offset + 1 - self.histlen;
    }

    /// `resizeReplicationBacklog` (CONFIG SET repl-backlog-size): clamps to
    /// 16 KiB and trims. Returns the size in effect (what CONFIG GET shows).
    pub fn resize(&mut self, size: u64, min_ref_offset: Option<u64>) -> u64 {
        self.size = size.max(REPL_BACKLOG_MIN_SIZE);
        self.trim(min_ref_offset);
        self.size
    }

    /// Whether a PSYNC for `offset` can be served
    /// (`offset >= first_byte_offset && offset <= first_byte_offset + histlen`).
    pub fn contains(&self, offset: u64) -> bool {
        offset >= self.offset && offset <= self.offset + self.histlen
    }

    /// `addReplyReplicationBacklog`: the bytes from replication offset `offset`
    /// up to `master_repl_offset` (empty for `master_repl_offset + 1`), or
    /// `None` if the backlog does not cover `offset`.
    pub fn bytes_from(&self, offset: u64) -> Option<Vec<u8>> {
        if !self.contains(offset) {
            return None;
        }
        let mut out = Vec::with_capacity((self.master_repl_offset + 1 - offset) as usize);
        for b in &self.blocks {
            let end = b.repl_offset + b.data.len() as u64; // exclusive
            if end <= offset {
                continue;
            }
            let skip = offset.saturating_sub(b.repl_offset) as usize;
            out.extend_from_slice(&b.data[skip..]);
        }
        Some(out)
    }

    /// Up to `max` bytes of the stream starting at replication offset
    /// `offset` (what a replica's socket takes next). Empty if not held.
    pub fn copy_range(&self, offset: u64, max: usize) -> Vec<u8> {
        let held = (self.master_repl_offset + 1).saturating_sub(offset);
        let mut out = Vec::with_capacity(max.min(held as usize));
        // The first block that ends after `offset`, looked for from the
        // end: a replica streaming as the stream grows reads the last one.
        let blocks = &self.blocks[..];
        let mut start = blocks.len();
        while start > 0 && blocks[start - 1].repl_offset + blocks[start - 1].data.len() as u64 > offset {
            start -= 1;
        }
        for b in self.blocks.iter().skip(start) {
            if out.len() >= max {
                break;
            }
            let skip = offset.saturating_sub(b.repl_offset) as usize;
            if skip >= b.data.len() {
                continue;
            }
            let take = (b.data.len() - skip).min(max - out.len());
            out.extend_from_slice(&b.data[skip..skip + take]);
        }
        out
    }

    /// `repl_backlog_size` (the configured limit, not the memory used).
    pub fn repl_backlog_size(&self) -> u64 {
        self.size
    }

    /// `repl_backlog_first_byte_offset` (`repl_backlog->offset`).
    pub fn repl_backlog_first_byte_offset(&self) -> u64 {
        self.offset
    }

    /// `repl_backlog_histlen`: bytes of history held.
    pub fn repl_backlog_histlen(&self) -> u64 {
        self.histlen
    }

    /// `master_repl_offset`: total bytes ever fed (plus the starting offset).
    pub fn master_repl_offset(&self) -> u64 {
        self.master_repl_offset
    }

    /// `server.repl_buffer_mem`: usable size + list node of every block.
    pub fn repl_buffer_mem(&self) -> u64 {
        self.blocks
            .iter()
            .map(|b| (b.capacity + BLOCK_HEADER_BYTES) as u64 + LIST_NODE_BYTES)
            .sum()
    }

    /// The buffer blocks, oldest first (`server.repl_buffer_blocks`).
    pub fn blocks(&self) -> Vec<BlockInfo> {
        self.blocks
            .iter()
            .map(|b| BlockInfo { repl_offset: b.repl_offset, used: b.data.len(), capacity: b.capacity })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_cmd(key: &str, val_len: usize) -> Vec<u8> {
        let mut c = format!("*3\r\n$3\r\nset\r\n${}\r\n{}\r\n${}\r\n", key.len(), key, val_len).into_bytes();
        c.extend(std::iter::repeat_n(b'v', val_len));
        c.extend_from_slice(b"\r\n");
        c
    }

    #[test]
    fn jemalloc_classes() {
        assert_eq!(jemalloc_usable(1), 8);
        assert_eq!(jemalloc_usable(17), 32);
        assert_eq!(jemalloc_usable(129), 160);
        assert_eq!(jemalloc_usable(16384), 16384);
        assert_eq!(jemalloc_usable(16384 + 40), 20480);
        assert_eq!(jemalloc_usable(20481), 24576);
        assert_eq!(jemalloc_usable(65536 + 40), 81920);
        assert_eq!(jemalloc_usable(1 << 20), 1 << 20);
    }

    #[test]
    fn fresh_backlog() {
        let b = Backlog::new(1 << 20, 0);
        assert_eq!(b.repl_backlog_first_byte_offset(), 1);
        assert_eq!(b.repl_backlog_histlen(), 0);
        assert!(b.contains(1));
        assert!(!b.contains(2));
        assert_eq!(b.bytes_from(1), Some(Vec::new()));
    }

    /// Reference §8.4: 16kb backlog, 574 bytes of stream, then 40 SETs of
    /// 1000-byte values (`key1`..`key40`: 9 x 1032 + 31 x 1033 = 41311 bytes).
    #[test]
    fn sixteen_kb_backlog_matches_measurement() {
        let mut b = Backlog::new(1 << 20, 0);
        b.resize(16 * 1024, None); // CONFIG SET repl-backlog-size 16kb
        // 574 bytes of earlier stream (the §3 commands, PINGs...), in small writes.
        for chunk in vec![b'x'; 574].chunks(35) {
            b.feed(chunk, None);
        }
        assert_eq!(b.master_repl_offset(), 574);
        let mut total = 0;
        for i in 1..=40 {
            let c = set_cmd(&format!("key{i}"), 1000);
            total += c.len();
            b.feed(&c, None); // replica link cut: nobody references blocks
        }
        b.before_sleep(None);
        assert_eq!(total, 41885 - 574);
        assert_eq!(b.master_repl_offset(), 41885);
        assert_eq!(b.repl_backlog_first_byte_offset(), 20441);
        assert_eq!(b.repl_backlog_histlen(), 21445);
        assert_eq!(b.blocks().len(), 2);
        assert!(!b.contains(575));
        assert!(b.contains(20441) && b.contains(41886) && !b.contains(41887));
        let tail = b.bytes_from(41885 - 1033 + 1).unwrap();
        assert_eq!(tail, set_cmd("key40", 1000));
    }

    /// Reference §4: with 1mb the backlog holds 52 full 20440-byte blocks plus
    /// the tail, i.e. stays above 1048576 by less than one block.
    #[test]
    fn one_mb_backlog_overshoots_by_less_than_a_block() {
        let mut b = Backlog::new(1 << 20, 12_345);
        let cmd = set_cmd("k", 90); // 109 bytes
        let mut max_h = 0;
        for _ in 0..40_000 {
            b.feed(&cmd, None);
            let h = b.repl_backlog_histlen();
            max_h = max_h.max(h);
            assert_eq!(b.repl_backlog_first_byte_offset(), b.master_repl_offset() + 1 - h);
        }
        assert!(b.repl_backlog_histlen() > 1 << 20);
        assert!(max_h < (1 << 20) + 20440 + 20440);
        // 52 full blocks + a tail of 4445 bytes reproduces the measured figure.
        let mut m = Backlog::new(1 << 20, 0);
        let fill = [b'a'; 100];
        let target = 590 * 20440 + 4445;
        while m.master_repl_offset() < target {
            let n = ((target - m.master_repl_offset()) as usize).min(100);
            m.feed(&fill[..n], None);
        }
        assert_eq!(m.repl_backlog_histlen(), 1_067_325);
        assert!(m.repl_backlog_histlen() - (1 << 20) < 20440);
    }

    /// Feeds `set keyN <value>` as `replicationFeedSlaves` does: "*3\r\n", then
    /// per argument "$len\r\n", the argument, "\r\n" as separate writes.
    fn feed_sets(b: &mut Backlog, sizes: &[usize]) {
        for (i, &s) in sizes.iter().enumerate() {
            b.feed(b"*3\r\n", None);
            for arg in [b"set".to_vec(), format!("key{i}").into_bytes(), vec![b'v'; s]] {
                b.feed(format!("${}\r\n", arg.len()).as_bytes(), None);
                b.feed(&arg, None);
                b.feed(b"\r\n", None);
            }
        }
        b.before_sleep(None);
    }

    /// Measured on redis-server 7.0.15 (master whose only replica had gone,
    /// workloads sent with `redis-cli --pipe`, INFO replication afterwards).
    #[test]
    fn real_server_pipeline_experiment() {
        let mut b = Backlog::new(1 << 20, 0);
        b.feed(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n", None);
        let mut w1 = vec![100_000; 10];
        for (n, s) in [(5, 30_000), (100, 1000), (3, 200_000), (20, 16_000), (300, 50), (4, 70_000)] {
            w1.extend(std::iter::repeat_n(s, n));
        }
        feed_sets(&mut b, &w1);
        assert_eq!((b.master_repl_offset(), b.repl_backlog_first_byte_offset(), b.repl_backlog_histlen()), (2_479_396, 1_420_073, 1_059_324));
        b.resize(16 * 1024, None); // CONFIG SET repl-backlog-size 16kb
        assert_eq!((b.repl_backlog_first_byte_offset(), b.repl_backlog_histlen()), (2_422_513, 56_884));
        let mut w2 = vec![1000; 40];
        for (n, s) in [(7, 5000), (2, 40_000), (100, 10)] {
            w2.extend(std::iter::repeat_n(s, n));
        }
        feed_sets(&mut b, &w2);
        assert_eq!((b.master_repl_offset(), b.repl_backlog_first_byte_offset(), b.repl_backlog_histlen()), (2_640_154, 2_622_897, 17_258));
    }

    #[test]
    fn replica_reference_blocks_trim_and_big_writes() {
        let mut b = Backlog::new(16 * 1024, 0);
        let chunk = vec![b'z'; 1000];
        // A replica stuck at offset 1 keeps every block alive.
        for _ in 0..100 {
            b.feed(&chunk, Some(1));
        }
        assert_eq!(b.repl_backlog_histlen(), 100_000);
        assert_eq!(b.repl_backlog_first_byte_offset(), 1);
        // Once it catches up, the next trims free whole blocks.
        b.trim(Some(100_001));
        assert!(b.repl_backlog_histlen() <= 16384 + 20440);
        assert!(b.repl_backlog_histlen() > 16384);
        // A single write larger than a block spans blocks capped at size/16.
        let mut big = Backlog::new(1 << 20, 0);
        big.feed(&vec![1u8; 200_000], None);
        let caps: Vec<usize> = big.blocks().iter().map(|x| x.capacity).collect();
        assert_eq!(caps[0], 81920 - 40); // 64 KiB request
        assert_eq!(big.bytes_from(1).unwrap().len(), 200_000);
        // Shrinking trims; growing does not.
        assert_eq!(big.resize(1000, None), 16384);
        assert!(big.repl_backlog_histlen() < 200_000);
    }
}
