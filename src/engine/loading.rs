//! `server.loading`: a node reading an RDB file into memory, at startup
//! (`loadDataFromDisk`) or at the end of a full sync (`readSyncBulkPayload`).
//!
//! Loading takes time in a real server (redis-server 7.0.15 read a
//! 1,000,000-key, 28.9 MB dump.rdb in 0.499 s on the reference machine), and
//! it blocks the event loop: every `loading-process-events-interval-bytes`
//! (2 MB) of the file it stops once to serve clients, which get
//! `-LOADING Redis is loading the dataset in memory` for every command
//! without the `loading` flag (INFO, ROLE, CONFIG, SHUTDOWN... still work),
//! and a replica sends its master a keepalive newline (at most once a
//! second). The engine does the same on virtual time: it parses one 2 MB
//! chunk, is busy for as long as the chunk takes at [`LOAD_BYTES_PER_MS`],
//! serves what arrived meanwhile, and goes on. A file that fits in one chunk
//! and takes under a millisecond loads at once, as before.

use super::handshake::ReplState;
use super::log::Level;
use super::node::{Node, Transport, CRON_PERIOD_MS};
use super::rdb::{self, Loader};

/// `loading-process-events-interval-bytes`: how much of the file is parsed
/// between two passes of the event loop.
pub const LOADING_INTERVAL_BYTES: usize = 2 * 1024 * 1024;

/// Loading speed in bytes per virtual millisecond: 58 MB/s, the rate the
/// real server loaded a 28.9 MB, 1M-key RDB at (0.499 s).
pub const LOAD_BYTES_PER_MS: u64 = 58_000;

/// What an RDB load is for, and what happens when it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadPurpose {
    /// `dump.rdb` at startup; "Ready to accept connections" follows it.
    Startup,
    /// The file of a full sync. `eof`: it came with an EOF mark (diskless
    /// master), so the replica ACKs at once. `transfer_size` and
    /// `transfer_read` stay in INFO's `master_sync_*` fields meanwhile.
    FullSync {
        /// Streamed with `$EOF:<mark>` framing.
        eof: bool,
        /// `repl_transfer_size`: the `$<len>`, or 0 for an EOF mark.
        transfer_size: i64,
        /// `repl_transfer_read`: bytes read from the master.
        transfer_read: u64,
    },
}

/// An RDB load in progress (`server.loading`). The file itself is the
/// node's `disk` (a full sync renames it to dump.rdb before loading it).
#[derive(Debug)]
pub struct Loading {
    /// The parser, resumable between chunks.
    pub loader: Loader,
    /// Why the file is loaded.
    pub purpose: LoadPurpose,
    /// `loading_start_time` (Unix ms).
    pub started_ms: u64,
    /// `loading_total_bytes`.
    pub total_bytes: u64,
    /// When the chunk being parsed is done: the node is busy until then.
    pub chunk_done_ms: u64,
    /// The second of the last keepalive newline to the master.
    newline_sent_s: u64,
    /// Chunks parsed so far.
    chunks: u64,
    /// The master closed the link meanwhile; noticed once loading ends.
    pub(crate) master_gone: bool,
}

impl Loading {
    /// The INFO persistence lines printed while loading, after the fixed
    /// ones (`loading_start_time` ... `loading_eta_seconds`).
    pub fn info_lines(&self, now: u64) -> String {
        let loaded = self.loader.loaded_bytes() as u64;
        let (perc, remaining) = if self.total_bytes > 0 {
            (loaded as f64 * 100.0 / self.total_bytes as f64, self.total_bytes - loaded)
        } else {
            (0.0, 1)
        };
        let elapsed = (now / 1000).saturating_sub(self.started_ms / 1000);
        // Redis's "fake 1 second figure" before a second has passed.
        let eta = if elapsed == 0 { 1 } else { elapsed * remaining / (loaded + 1) };
        format!(
            "loading_start_time:{}\r\nloading_total_bytes:{}\r\nloading_rdb_used_mem:{}\r\nloading_loaded_bytes:{loaded}\r\nloading_loaded_perc:{}\r\nloading_eta_seconds:{eta}\r\n",
            self.started_ms / 1000,
            self.total_bytes,
            self.loader.rdb_used_mem(),
            super::decimal::fixed(perc, 2)
        )
    }
}

impl Node {
    /// True while the dataset is loading (`server.loading`).
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// `startLoading` + the first chunk of `rdbLoad`, on the node's `disk`.
    /// The file's header lines are logged now, the rest as it loads.
    pub(crate) fn start_loading(&mut self, purpose: LoadPurpose, now: u64, io: &mut dyn Transport) {
        match self.begin_loading(purpose.clone(), now) {
            Ok(()) => self.loading_step(now, io),
            Err(e) => self.loading_failed(&purpose, e, now, io),
        }
    }

    /// Startup's load (`loadDataFromDisk`), before any connection exists.
    pub(crate) fn start_startup_load(&mut self, now: u64) {
        let first = self.begin_loading(LoadPurpose::Startup, now).and_then(|()| self.parse_chunk(now));
        if let Err(e) = first {
            self.loading = None;
            self.startup_load_failed(e, now);
        } else if self.loading.as_ref().is_some_and(|l| l.loader.is_done() && l.chunk_done_ms <= now) {
            let loading = *self.loading.take().expect("loading");
            self.finish_startup_load(loading.loader.finish(), 0, now);
        }
    }

    fn begin_loading(&mut self, purpose: LoadPurpose, now: u64) -> Result<(), rdb::RdbError> {
        let disk = self.disk.as_deref().unwrap_or_default();
        let loader = Loader::new(disk)?;
        let total_bytes = disk.len() as u64;
        self.log_rdb_header(now);
        self.loading = Some(Box::new(Loading { loader, purpose, started_ms: now, total_bytes, chunk_done_ms: now, newline_sent_s: 0, chunks: 0, master_gone: false }));
        Ok(())
    }

    /// Parses one chunk; the node is busy for as long as it takes.
    fn parse_chunk(&mut self, now: u64) -> Result<(), rdb::RdbError> {
        let loading = self.loading.as_mut().expect("loading");
        let disk = self.disk.as_deref().unwrap_or_default();
        let before = loading.loader.loaded_bytes();
        loading.chunks += 1;
        loading.loader.step(disk, LOADING_INTERVAL_BYTES)?;
        let took = (loading.loader.loaded_bytes() - before) as u64 / LOAD_BYTES_PER_MS;
        loading.chunk_done_ms = now + took;
        self.busy_until_ms = self.busy_until_ms.max(now + took);
        Ok(())
    }

    /// Runs when the current chunk's time is up: serve, then parse the next
    /// chunk (`rdbLoadProgressCallback`), or finish.
    pub(crate) fn loading_step(&mut self, now: u64, io: &mut dyn Transport) {
        let Some(loading) = self.loading.as_mut() else { return };
        if loading.chunk_done_ms > now {
            return;
        }
        if !loading.loader.is_done() {
            // Between chunks, not before the first (`replicationSendNewlineToMaster`).
            let sync = matches!(loading.purpose, LoadPurpose::FullSync { .. });
            if sync && loading.chunks > 0 && loading.newline_sent_s != now / 1000 {
                loading.newline_sent_s = now / 1000;
                if let Some(up) = self.upstream.as_mut().filter(|u| u.state == ReplState::Transfer) {
                    up.out.push(b'\n');
                }
            }
            if let Err(e) = self.parse_chunk(now) {
                let purpose = self.loading.take().expect("loading").purpose;
                return self.loading_failed(&purpose, e, now, io);
            }
        }
        if self.loading.as_ref().is_some_and(|l| l.loader.is_done() && l.chunk_done_ms <= now) {
            self.finish_loading(now, io);
        }
    }

    /// `stopLoading` and what follows a load that read the whole file.
    fn finish_loading(&mut self, now: u64, io: &mut dyn Transport) {
        let loading = *self.loading.take().expect("loading");
        let loaded = loading.loader.finish();
        // Cron does not catch up on the time the load blocked it.
        while self.next_cron_ms + CRON_PERIOD_MS <= now {
            self.next_cron_ms += CRON_PERIOD_MS;
        }
        match loading.purpose {
            LoadPurpose::Startup => self.finish_startup_load(loaded, now - loading.started_ms, now),
            LoadPurpose::FullSync { eof, .. } => {
                self.finish_sync_load(loaded, eof, now, io);
                if loading.master_gone {
                    self.upstream_lost(now, io);
                }
            }
        }
    }

    /// A load that hit a corrupt or truncated file.
    fn loading_failed(&mut self, purpose: &LoadPurpose, e: rdb::RdbError, now: u64, io: &mut dyn Transport) {
        match purpose {
            LoadPurpose::Startup => self.startup_load_failed(e, now),
            LoadPurpose::FullSync { .. } => {
                self.log(now, Level::Warning, format!("Failed trying to load the MASTER synchronization DB from disk, check server logs. ({e})"));
                self.cancel_handshake(io);
            }
        }
    }

    /// A dump.rdb that cannot be read at startup: the server goes on empty.
    fn startup_load_failed(&mut self, e: rdb::RdbError, now: u64) {
        self.log(now, Level::Warning, format!("Short read or OOM loading DB. Unrecoverable error, aborting now. ({e})"));
        self.log(now, Level::Notice, "Ready to accept connections".into());
    }

    /// The lines `rdbLoadRio` logs from the file's aux fields as it starts.
    pub(crate) fn log_rdb_header(&mut self, now: u64) {
        let aux = rdb::aux_fields(self.disk.as_deref().unwrap_or_default()).unwrap_or_default();
        let field = |name: &[u8]| aux.iter().find(|(k, _)| k == name).and_then(|(_, v)| String::from_utf8_lossy(v).parse::<u64>().ok()).unwrap_or(0);
        let (ctime, used_mem) = (field(b"ctime"), field(b"used-mem"));
        self.log(now, Level::Notice, "Loading RDB produced by version 7.0.15".into());
        let age = (now / 1000).saturating_sub(ctime);
        self.log(now, Level::Notice, format!("RDB age {age} seconds"));
        let mb = used_mem as f64 / 1024.0 / 1024.0;
        self.log(now, Level::Notice, format!("RDB memory usage when created {} Mb", super::decimal::fixed(mb, 2)));
    }

    /// The line `rdbLoad` ends with (`rdb_last_load_keys_*`).
    pub(crate) fn log_rdb_done(&mut self, keys: u64, expired: u64, now: u64) {
        self.stats.rdb_last_load_keys_loaded = keys;
        self.stats.rdb_last_load_keys_expired = expired;
        self.log(now, Level::Notice, format!("Done loading RDB, keys loaded: {keys}, keys expired: {expired}."));
    }
}
