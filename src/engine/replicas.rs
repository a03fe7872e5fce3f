//! The master's replicas: their states (`replstate`), the RDB child that
//! feeds full syncs (disk or diskless), streaming the replication buffer,
//! REPLCONF ACK and the timeouts, heartbeats and output-buffer limits of
//! `replicationCron`.

use super::keyspace::Bytes;
use super::log::Level;
use super::net::ConnId;
use super::node::{Client, Node, Transport};
use super::rdb::{self, ReplInfo};

/// `replstate` of a replica as its master tracks it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// Waiting for a BGSAVE to start (`wait_bgsave`).
    WaitBgsaveStart,
    /// A BGSAVE for it is running (`wait_bgsave`).
    WaitBgsaveEnd,
    /// The RDB file is being sent (`send_bulk`).
    SendBulk,
    /// Streaming the replication buffer (`online`).
    Online,
}

impl ReplicaState {
    /// The word INFO prints (`replstateToString`).
    pub fn info_word(self) -> &'static str {
        match self {
            ReplicaState::WaitBgsaveStart | ReplicaState::WaitBgsaveEnd => "wait_bgsave",
            ReplicaState::SendBulk => "send_bulk",
            ReplicaState::Online => "online",
        }
    }
}

/// A client that became a replica with PSYNC/SYNC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaLink {
    /// `replstate`.
    pub state: ReplicaState,
    /// `psync_initial_offset`: the offset the full sync's RDB corresponds to.
    pub psync_initial_offset: u64,
    /// Next stream offset to write to the socket, once streaming.
    pub stream_from: Option<u64>,
    /// `repl_start_cmd_stream_on_ack`: diskless sync waits for the first ACK.
    pub start_on_ack: bool,
    /// `repl_ack_off`: last offset the replica acknowledged.
    pub ack_off: u64,
    /// `repl_ack_time` (Unix ms).
    pub ack_time_ms: u64,
    /// Last time anything came from the replica (Unix ms).
    pub last_interaction_ms: u64,
    /// Since when the soft output-buffer limit is exceeded.
    pub soft_limit_since_ms: Option<u64>,
}

impl ReplicaLink {
    /// A replica entering `state` at `now`.
    pub fn new(state: ReplicaState, now: u64) -> Self {
        ReplicaLink {
            state,
            psync_initial_offset: 0,
            stream_from: None,
            start_on_ack: false,
            ack_off: 0,
            ack_time_ms: now,
            last_interaction_ms: now,
            soft_limit_since_ms: None,
        }
    }

    /// The first stream offset this replica still needs: the replication
    /// buffer blocks from there on must be kept for it.
    #[inline(always)]
    pub fn ref_offset(&self) -> Option<u64> {
        match self.state {
            ReplicaState::WaitBgsaveStart => None,
            _ => Some(self.stream_from.unwrap_or(self.psync_initial_offset + 1)),
        }
    }
}

/// A forked child producing an RDB, for BGSAVE or for full syncs.
#[derive(Clone, Debug)]
pub struct RdbChild {
    /// Child process id.
    pub pid: u32,
    /// Diskless: the payload goes straight to replica sockets.
    pub socket: bool,
    /// When the child finishes (disk), or `u64::MAX` until the sockets drained.
    pub done_ms: u64,
    /// The RDB bytes (snapshot at fork time).
    pub payload: Vec<u8>,
    /// Whether this save was for replication (vs. a plain BGSAVE).
    pub for_replication: bool,
    /// `rdb_save_time_start` (Unix ms).
    pub started_ms: u64,
}

/// Rough bytes a value occupies, for `used_memory`.
fn value_size(v: &super::keyspace::Value) -> usize {
    use super::keyspace::Value;
    match v {
        Value::Str(s) => s.len() + 16,
        Value::List(l) => l.iter().map(|e| e.len() + 11).sum::<usize>() + 32,
        Value::Hash(h) => h.iter().map(|(f, v)| f.len() + v.len() + 22).sum::<usize>() + 32,
        Value::Set(m) => m.iter().map(|e| e.len() + 24).sum::<usize>() + 32,
    }
}

/// Simulated speed of writing an RDB to disk, bytes per millisecond.
const RDB_DISK_BYTES_PER_MS: u64 = 200_000;

impl Node {
    /// Connections of replicas, in order.
    pub(crate) fn replica_conns(&self) -> Vec<ConnId> {
        self.clients.keys_where(&|c| c.replica.is_some())
    }

    /// Number of clients flagged as replicas (`connected_slaves`).
    pub fn connected_replicas(&self) -> usize {
        self.clients.values().filter(|c| c.replica.is_some()).count()
    }

    /// The lowest stream offset any replica still references.
    pub(crate) fn min_replica_ref(&self) -> Option<u64> {
        self.clients.values().filter_map(|c| c.replica.as_ref()?.ref_offset()).min()
    }

    /// Bytes of the replication buffer a replica holds (`omem`).
    pub fn replica_omem(&self, link: &ReplicaLink) -> u64 {
        omem_at(link, self.repl.offset)
    }

    /// A request from a connected replica: REPLCONF ACK, or anything else
    /// (ignored, as replicas send only ACKs once attached).
    pub(crate) fn replica_request(&mut self, _conn: ConnId, client: &mut Client, argv: &[Bytes], now: u64) {
        let link = client.replica.as_mut().expect("replica");
        link.last_interaction_ms = now;
        let is_ack = argv.len() >= 3 && argv[0].eq_ignore_ascii_case(b"replconf") && argv[1].eq_ignore_ascii_case(b"ack");
        if !is_ack {
            return;
        }
        if let Some(off) = std::str::from_utf8(&argv[2]).ok().and_then(super::text::uint::<u64>) {
            link.ack_off = link.ack_off.max(off);
            link.ack_time_ms = now;
        }
        if link.start_on_ack && link.state == ReplicaState::Online {
            link.start_on_ack = false;
            link.stream_from = Some(link.psync_initial_offset + 1);
        }
    }

    /// A replica's connection closed.
    pub(crate) fn replica_gone(&mut self, _conn: ConnId, client: &Client, now: u64) {
        let name = Self::replica_name(client);
        self.log(now, Level::Warning, format!("Connection with replica {name} lost."));
        if self.connected_replicas() == 0 {
            self.no_replicas_since_s = now / 1000;
        }
    }

    /// Closes a replica's connection as the master (CLIENT KILL, timeouts,
    /// output limits).
    pub(crate) fn drop_replica(&mut self, conn: ConnId, now: u64, io: &mut dyn Transport) {
        if let Some(client) = self.clients.remove(&conn) {
            io.close(conn);
            self.replica_gone(conn, &client, now);
        }
    }

    /// `disconnectSlaves`: closes every replica connection.
    pub(crate) fn disconnect_replicas(&mut self, now: u64, io: &mut dyn Transport) {
        for conn in self.replica_conns() {
            self.drop_replica(conn, now, io);
        }
    }

    /// Writes replication-buffer bytes to an online replica's socket.
    pub(crate) fn flush_stream(&mut self, conn: ConnId, room: usize, _now: u64, io: &mut dyn Transport) {
        let end = self.repl.offset;
        let Some(client) = self.clients.get_mut(&conn) else { return };
        let Some(link) = client.replica.as_mut() else { return };
        let Some(from) = link.stream_from else { return };
        if from > end || room == 0 {
            return;
        }
        let Some(backlog) = self.backlog.as_ref() else { return };
        let n = ((end + 1 - from) as usize).min(room);
        let bytes = backlog.copy_range(from, n);
        link.stream_from = Some(from + bytes.len() as u64);
        self.stats.net_output_bytes += bytes.len() as u64;
        self.stats.net_repl_output_bytes += bytes.len() as u64;
        io.send(conn, bytes);
    }

    /// `setupSlaveForFullResync`: +FULLRESYNC with the offset the RDB matches.
    pub(crate) fn setup_full_resync(&mut self, client: &mut Client, offset: u64) {
        let link = client.replica.as_mut().expect("replica");
        link.state = ReplicaState::WaitBgsaveEnd;
        link.psync_initial_offset = offset;
        self.slaveseldb = -1;
        let reply = format!("+FULLRESYNC {} {}\r\n", self.repl.replid, offset);
        client.out.extend(reply.as_bytes());
    }

    /// The replication info saved in an RDB (`rdbPopulateSaveInfo`).
    pub(crate) fn save_info(&self) -> Option<ReplInfo> {
        let stream_db = |db: i64| db.max(0) as i32;
        if let Some(up) = &self.upstream {
            let m = up.master.as_ref().or(up.cached.as_ref())?;
            return Some(ReplInfo { repl_id: m.replid.clone(), repl_offset: m.reploff as i64, stream_db: m.db as i32 });
        }
        self.backlog.as_ref()?;
        Some(ReplInfo { repl_id: self.repl.replid.clone(), repl_offset: self.repl.offset as i64, stream_db: stream_db(self.slaveseldb) })
    }

    /// Serialises the dataset as `dump.rdb` would hold it now.
    pub(crate) fn rdb_snapshot(&self, now: u64) -> Vec<u8> {
        rdb::encode(&self.keyspace, now, self.used_memory(), self.save_info().as_ref())
    }

    /// Approximate `used_memory`, for INFO and the RDB's aux field.
    pub fn used_memory(&self) -> u64 {
        let data: usize = self.keyspace.dbs.iter().flat_map(|d| d.entries.iter()).map(|(k, e)| k.len() + value_size(&e.value) + 56).sum();
        let backlog = self.backlog.as_ref().map_or(0, |b| b.repl_buffer_mem());
        (900 * 1024 + data as u64 + backlog).max(1)
    }

    /// `startBgsaveForReplication`: fork an RDB child for the replicas
    /// waiting in WAIT_BGSAVE_START (plus `extra`, not yet in the table).
    pub(crate) fn start_bgsave_for_replication(&mut self, mut extra: Option<&mut Client>, now: u64) {
        let all_eof = self.clients.values().filter_map(|c| c.replica.as_ref().map(|r| (c, r))).filter(|(_, r)| r.state == ReplicaState::WaitBgsaveStart).all(|(c, _)| c.capa_eof)
            && extra.as_ref().is_none_or(|c| c.capa_eof);
        let socket = self.config.repl_diskless_sync && all_eof;
        let target = if socket { "replicas sockets" } else { "disk" };
        self.log(now, Level::Notice, format!("Starting BGSAVE for SYNC with target: {target}"));
        let offset = self.repl.offset;
        let waiting = self.clients.keys_where(&|c| c.replica.as_ref().is_some_and(|r| r.state == ReplicaState::WaitBgsaveStart));
        for conn in &waiting {
            let mut c = self.clients.remove(conn).expect("client");
            self.setup_full_resync(&mut c, offset);
            self.clients.insert(*conn, c);
        }
        if let Some(c) = extra.as_deref_mut() {
            self.setup_full_resync(c, offset);
        }
        let payload = self.rdb_snapshot(now);
        let pid = self.pid + 1 + (self.rng.next_u64() % 500) as u32;
        if socket {
            self.log(now, Level::Notice, format!("Background RDB transfer started by pid {pid}"));
            let mark = self.rng.hex40();
            let header = format!("$EOF:{mark}\r\n");
            let send = |c: &mut Client| {
                c.out.extend(header.as_bytes());
                c.out.extend(&payload);
                c.out.extend(mark.as_bytes());
            };
            for conn in &waiting {
                send(self.clients.get_mut(conn).expect("client"));
            }
            if let Some(c) = extra {
                send(c);
            }
            // The sockets hold the file now; the child keeps no copy.
            self.child = Some(RdbChild { pid, socket: true, done_ms: u64::MAX, payload: Vec::new(), for_replication: true, started_ms: now });
        } else {
            self.fork_disk_child(payload, pid, true, now);
        }
    }

    /// A plain BGSAVE (no replica waiting).
    pub(crate) fn start_bgsave(&mut self, now: u64) {
        let payload = self.rdb_snapshot(now);
        let pid = self.pid + 1 + (self.rng.next_u64() % 500) as u32;
        self.fork_disk_child(payload, pid, false, now);
    }

    /// `rdbSaveBackground`: a child writing `payload` to disk, done after
    /// the time the write takes (counted in `rdb_saves`).
    fn fork_disk_child(&mut self, payload: Vec<u8>, pid: u32, for_replication: bool, now: u64) {
        self.stats.rdb_saves += 1;
        self.log(now, Level::Notice, format!("Background saving started by pid {pid}"));
        let done_ms = now + 1 + payload.len() as u64 / RDB_DISK_BYTES_PER_MS;
        self.child = Some(RdbChild { pid, socket: false, done_ms, payload, for_replication, started_ms: now });
    }

    /// A diskless child is done once every replica's socket took the payload.
    fn socket_child_drained(&self) -> bool {
        self.clients.values().filter(|c| c.replica.as_ref().is_some_and(|r| r.state == ReplicaState::WaitBgsaveEnd)).all(|c| c.out.is_empty())
    }

    /// The RDB child exited: hand the file to waiting replicas or put the
    /// diskless ones online (`updateSlavesWaitingBgsave`).
    pub(crate) fn rdb_child_done(&mut self, now: u64, io: &mut dyn Transport) {
        let Some(child) = self.child.take() else { return };
        self.stats.rdb_last_bgsave_time_s = Some(now.saturating_sub(child.started_ms) / 1000);
        if child.socket {
            let up = self.clients.values().filter(|c| c.replica.as_ref().is_some_and(|r| r.state == ReplicaState::WaitBgsaveEnd)).count();
            self.log(now, Level::Warning, format!("Diskless rdb transfer, done reading from pipe, {up} replicas still up."));
            self.log(now, Level::Notice, "Background RDB transfer terminated with success".into());
        } else {
            self.log_as(child.pid, 'C', now, Level::Notice, "DB saved on disk".into());
            self.log_as(child.pid, 'C', now, Level::Notice, "Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB".into());
            self.log(now, Level::Notice, "Background saving terminated with success".into());
            self.disk = Some(child.payload.clone());
            self.lastsave_s = now / 1000;
            self.dirty = 0;
        }
        for conn in self.replica_conns() {
            let mut c = self.clients.remove(&conn).expect("client");
            let name = Self::replica_name(&c);
            let link = c.replica.as_mut().expect("replica");
            if link.state == ReplicaState::WaitBgsaveEnd {
                if child.socket {
                    link.state = ReplicaState::Online;
                    link.start_on_ack = true;
                    link.ack_time_ms = now;
                    let msg = format!("Streamed RDB transfer with replica {name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming");
                    self.clients.insert(conn, c);
                    self.log(now, Level::Notice, msg);
                    self.log(now, Level::Notice, format!("Synchronization with replica {name} succeeded"));
                    continue;
                }
                link.state = ReplicaState::SendBulk;
                c.out.extend(format!("${}\r\n", child.payload.len()).as_bytes());
                c.out.extend(&child.payload);
            }
            self.clients.insert(conn, c);
        }
        let waiting = self.clients.values().any(|c| c.replica.as_ref().is_some_and(|r| r.state == ReplicaState::WaitBgsaveStart));
        if waiting && !(self.config.repl_diskless_sync && self.config.repl_diskless_sync_delay > 0) {
            self.start_bgsave_for_replication(None, now);
        }
        self.flush(now, io);
    }

    /// After output is written: disk-target replicas whose RDB was fully
    /// sent go online; a diskless child ends when its sockets drained.
    pub(crate) fn after_flush(&mut self, now: u64, io: &mut dyn Transport) {
        let bulk_sent = |c: &Client| c.out.is_empty() && c.replica.as_ref().is_some_and(|r| r.state == ReplicaState::SendBulk);
        // Runs after every write: collects nothing unless a bulk was sent.
        // A plain loop by position (in the size-built wasm `any` and its
        // closure are calls, every event-loop turn).
        let mut any_sent = false;
        let mut i = 0;
        while let Some((_, c)) = self.clients.at(i) {
            i += 1;
            if c.out.is_empty() && let Some(r) = &c.replica && r.state == ReplicaState::SendBulk {
                any_sent = true;
                break;
            }
        }
        if any_sent {
            for conn in self.replica_conns() {
                let c = self.clients.get_mut(&conn).expect("client");
                if !bulk_sent(c) {
                    continue;
                }
                let link = c.replica.as_mut().expect("replica");
                link.state = ReplicaState::Online;
                link.ack_time_ms = now;
                link.stream_from = Some(link.psync_initial_offset + 1);
                let name = Self::replica_name(c);
                self.log(now, Level::Notice, format!("Synchronization with replica {name} succeeded"));
            }
        }
        if self.child.as_ref().is_some_and(|c| c.socket) && self.socket_child_drained() {
            self.rdb_child_done(now, io);
        }
    }

    /// `checkClientOutputBufferLimits` for every replica: one over the hard
    /// limit, or over the soft limit for too long, is closed.
    pub(crate) fn check_output_limits_all(&mut self) {
        if self.clients.is_empty() {
            return;
        }
        let limits = OutputLimits::of(&self.config);
        let (now, offset) = (self.clock_ms, self.repl.offset);
        // Runs for every write: one pass that allocates nothing and looks
        // nothing up; only when a replica is over does a second pass (the
        // check is idempotent) log and schedule each one, in client order.
        let mut over = false;
        for client in self.clients.values_mut() {
            if let Some(link) = client.replica.as_mut() {
                over |= limits.exceeded(link, offset, now);
            }
        }
        let mut i = 0;
        while let Some(&conn) = self.clients.key_at(i).filter(|_| over) {
            i += 1;
            // Once scheduled, a replica is not checked again (`CLIENT_CLOSE_ASAP`):
            // more writes before it is freed log nothing more.
            if self.to_close.contains(&conn) {
                continue;
            }
            let Some(link) = self.clients.get_mut(&conn).and_then(|c| c.replica.as_mut()) else { continue };
            if limits.exceeded(link, offset, now) {
                let omem = omem_at(link, offset);
                let info = self.client_info(&self.clients[&conn], now, "S", omem);
                self.log(now, Level::Warning, format!("Client {info} scheduled to be closed ASAP for overcoming of output buffer limits."));
                self.to_close.push(conn);
            }
        }
    }

    /// Sends `REPLCONF GETACK *` through the stream (WAIT, SHUTDOWN).
    pub(crate) fn send_getack(&mut self) {
        let argv: Vec<Bytes> = vec![b"REPLCONF".to_vec(), b"GETACK".to_vec(), b"*".to_vec()];
        let db = self.slaveseldb;
        self.feed_replication(db, &argv);
    }

    /// Replicas that are online and acknowledged within min-replicas-max-lag.
    pub fn good_replicas(&self, now: u64) -> usize {
        let max_lag = self.config.min_replicas_max_lag.max(0) as u64;
        self.clients
            .values()
            .filter_map(|c| c.replica.as_ref())
            .filter(|r| r.state == ReplicaState::Online && (now / 1000).saturating_sub(r.ack_time_ms / 1000) <= max_lag)
            .count()
    }

    /// Whether min-replicas-to-write allows a write now.
    pub(crate) fn enough_good_replicas(&self, now: u64) -> bool {
        let min = self.config.min_replicas_to_write;
        min == 0 || self.config.min_replicas_max_lag == 0 || self.good_replicas(now) >= min as usize
    }

    /// `replicationCron`, once a second.
    pub(crate) fn replication_cron(&mut self, now: u64, io: &mut dyn Transport) {
        if self.upstream.is_some() {
            self.replica_cron(now, io);
        }
        let now_s = now / 1000;
        let period = self.config.repl_ping_replica_period.max(1) as u64;
        let has_replicas = !self.replica_conns().is_empty();
        if has_replicas && self.repl_cron_loops.is_multiple_of(period) {
            let db = self.slaveseldb;
            self.feed_replication(db, &[b"ping".to_vec()]);
        }
        for conn in self.replica_conns() {
            let c = self.clients.get_mut(&conn).expect("client");
            let r = c.replica.as_ref().expect("replica");
            let disk_wait = r.state == ReplicaState::WaitBgsaveEnd && self.child.as_ref().is_some_and(|ch| !ch.socket);
            if r.state == ReplicaState::WaitBgsaveStart || disk_wait {
                c.out.push_back(b'\n');
            }
        }
        let timeout = self.config.repl_timeout.max(0) as u64;
        for conn in self.replica_conns() {
            let c = &self.clients[&conn];
            let r = c.replica.as_ref().expect("replica");
            if r.state == ReplicaState::Online && now_s.saturating_sub(r.ack_time_ms / 1000) > timeout {
                let name = Self::replica_name(c);
                self.log(now, Level::Warning, format!("Disconnecting timedout replica (streaming sync): {name}"));
                self.drop_replica(conn, now, io);
            }
        }
        let ttl = self.config.repl_backlog_ttl.max(0) as u64;
        if self.upstream.is_none() && self.connected_replicas() == 0 && ttl > 0 && self.backlog.is_some() && now_s.saturating_sub(self.no_replicas_since_s) > ttl {
            self.change_replication_id();
            self.clear_replication_id2();
            self.backlog = None;
            self.log(now, Level::Notice, format!("Replication backlog freed after {ttl} seconds without connected replicas."));
        }
        self.start_pending_fork(now);
        self.repl_cron_loops += 1;
    }

    /// `replicationStartPendingFork`: start the delayed diskless BGSAVE once
    /// the delay passed or enough replicas wait.
    fn start_pending_fork(&mut self, now: u64) {
        if self.child.is_some() {
            return;
        }
        let waiting: Vec<u64> = self.clients.values().filter_map(|c| c.replica.as_ref()).filter(|r| r.state == ReplicaState::WaitBgsaveStart).map(|r| r.last_interaction_ms / 1000).collect();
        if waiting.is_empty() {
            return;
        }
        let max_idle = waiting.iter().map(|t| (now / 1000).saturating_sub(*t)).max().unwrap_or(0);
        let max = self.config.repl_diskless_sync_max_replicas.max(0) as u64;
        let diskless = self.config.repl_diskless_sync;
        if !diskless || max_idle >= self.config.repl_diskless_sync_delay.max(0) as u64 || (max > 0 && waiting.len() as u64 >= max) {
            self.start_bgsave_for_replication(None, now);
        }
    }
}

/// The replica class of `client-output-buffer-limit` in effect.
struct OutputLimits {
    hard: u64,
    soft: u64,
    soft_secs: u64,
}

impl OutputLimits {
    /// The configured limits; a hard limit below the backlog size counts as
    /// the backlog size (a replica's buffer always holds that much).
    fn of(config: &super::config::Config) -> OutputLimits {
        let (hard, soft, soft_secs) = config.replica_output_limits();
        let size = config.repl_backlog_size as u64;
        let hard = if hard > 0 && hard < size { size } else { hard };
        OutputLimits { hard, soft, soft_secs }
    }

    /// Notes since when `link` is over the soft limit (or that it is not),
    /// and says whether it must be closed. Checking twice at the same
    /// `offset` and `now` changes nothing the second time.
    #[inline(always)]
    fn exceeded(&self, link: &mut ReplicaLink, offset: u64, now: u64) -> bool {
        let omem = omem_at(link, offset);
        // Runs for every write on every replica: no closures (calls in wasm).
        let since = if self.soft > 0 && omem > self.soft { Some(link.soft_limit_since_ms.unwrap_or(now)) } else { None };
        link.soft_limit_since_ms = since;
        let soft_over = match since {
            Some(s) => now.saturating_sub(s) / 1000 > self.soft_secs,
            None => false,
        };
        (self.hard > 0 && omem >= self.hard) || soft_over
    }
}

/// A replica's `omem` when the stream is at `offset`: from the first byte
/// it still needs to the end.
#[inline(always)]
fn omem_at(link: &ReplicaLink, offset: u64) -> u64 {
    match link.ref_offset() {
        Some(from) if from <= offset => offset + 1 - from,
        _ => 0,
    }
}
