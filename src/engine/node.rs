//! A virtual redis-server: its keyspace, clients, configuration, log and the
//! replication state both as a master and as a replica.
//!
//! The node is sans-IO: the simulator hands it network events and the time,
//! and it writes to connections through the [`Transport`] it is given. The
//! replica side lives in `handshake`, the master side in `psync` and
//! `replicas`, running a request and propagating it in `process`, the admin
//! commands in `admin`, INFO and ROLE in `info`.

use super::backlog::Backlog;
use super::command::Op;
use super::config::Config;
use super::handshake::Upstream;
use super::keyspace::{Bytes, Keyspace};
use super::log::{Level, Log, LogLine};
use super::net::{ConnId, Port};
use super::replicas::RdbChild;
use super::resp::{self, Reply};
use super::rng::Rng;
use super::vecmap::VecMap;

pub use super::client::{Client, ClientKind};

/// What a node may do to the network; the simulator implements it.
pub trait Transport {
    /// Opens a connection from this node to `to`; the id names this end.
    fn connect(&mut self, to: Port) -> ConnId;
    /// Writes bytes on a connection end.
    fn send(&mut self, conn: ConnId, bytes: Vec<u8>);
    /// Closes a connection end.
    fn close(&mut self, conn: ConnId);
    /// How many bytes may be written on `conn` right now (socket buffer room).
    fn writable(&self, conn: ConnId) -> usize;
}

/// Identifies a local client (a console or a scenario's connection).
pub type ClientId = u32;

/// Why a client is waiting for its reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// `WAIT numreplicas timeout`: until enough replicas acknowledged `offset`.
    Wait {
        /// Replicas that must acknowledge.
        numreplicas: usize,
        /// The offset they must reach (the client's last write).
        offset: u64,
        /// When to give up (none: wait forever).
        deadline_ms: Option<u64>,
    },
    /// `DEBUG SLEEP`: the whole server is busy until then.
    Sleep {
        /// When the sleep ends.
        until_ms: u64,
    },
    /// `SHUTDOWN`: until the replicas caught up, or the shutdown timeout.
    Shutdown {
        /// SAVE / NOSAVE / the default (save if save points are configured).
        save: Option<bool>,
        /// When to stop waiting (shutdown-timeout, 10 s).
        deadline_ms: u64,
    },
}

/// Replication IDs and offsets (`server.replid`, `replid2`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplIds {
    /// `master_replid`: the history this node's data belongs to.
    pub replid: String,
    /// `master_replid2`: the previous history, valid up to `second_offset`.
    pub replid2: String,
    /// `master_repl_offset`: bytes of replication stream produced or applied.
    pub offset: u64,
    /// `second_repl_offset`: replid2 is valid for offsets below this; -1 if unset.
    pub second_offset: i64,
}

/// The all-zero replication ID Redis prints for an unset replid2.
pub const NULL_REPLID: &str = "0000000000000000000000000000000000000000";

/// Counters shown by `INFO stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Full resyncs served (`sync_full`).
    pub sync_full: u64,
    /// Partial resyncs accepted (`sync_partial_ok`).
    pub sync_partial_ok: u64,
    /// Partial resyncs refused (`sync_partial_err`).
    pub sync_partial_err: u64,
    /// Commands executed.
    pub total_commands_processed: u64,
    /// Connections accepted.
    pub total_connections_received: u64,
    /// Keys deleted because they expired.
    pub expired_keys: u64,
    /// Hits and misses of key lookups.
    pub keyspace_hits: u64,
    /// See `keyspace_hits`.
    pub keyspace_misses: u64,
    /// Bytes received from the network.
    pub net_input_bytes: u64,
    /// Bytes written to the network.
    pub net_output_bytes: u64,
    /// Bytes of replication stream received (as a replica).
    pub net_repl_input_bytes: u64,
    /// Bytes of replication stream sent (as a master).
    pub net_repl_output_bytes: u64,
    /// SAVEs and disk BGSAVEs started (`rdb_saves`).
    pub rdb_saves: u64,
    /// How long the last RDB child ran (`rdb_last_bgsave_time_sec`), if any did.
    pub rdb_last_bgsave_time_s: Option<u64>,
    /// Keys the last RDB load read (`rdb_last_load_keys_loaded`).
    pub rdb_last_load_keys_loaded: u64,
    /// Keys the last RDB load dropped as expired (`rdb_last_load_keys_expired`).
    pub rdb_last_load_keys_expired: u64,
}

/// One virtual redis-server.
#[derive(Debug)]
pub struct Node {
    /// TCP port; the node is `127.0.0.1:port`.
    pub port: Port,
    /// Process id used in log lines.
    pub pid: u32,
    /// `run_id`: 40 hex chars, new at every start.
    pub run_id: String,
    /// Current configuration (CONFIG GET/SET).
    pub config: Config,
    /// The dataset.
    pub keyspace: Keyspace,
    /// Log lines written so far.
    pub log: Log,
    /// Virtual time the process started.
    pub started_ms: u64,
    /// Replication IDs and offsets.
    pub repl: ReplIds,
    /// The replication backlog, once a replica attached (or loaded from an RDB).
    pub backlog: Option<Backlog>,
    /// The db the replication stream last selected (-1: none, a SELECT is due).
    pub slaveseldb: i64,
    /// Unix seconds since the node had no replicas (for repl-backlog-ttl).
    pub no_replicas_since_s: u64,
    /// Accepted network connections, by this node's end.
    pub clients: VecMap<ConnId, Client>,
    /// Local clients (consoles, scenario connections), boxed: each command
    /// takes its client out of the map and puts it back.
    pub locals: VecMap<ClientId, Box<Client>>,
    /// Replica-side state: set when this node replicates a master.
    pub upstream: Option<Upstream>,
    /// A running RDB child (BGSAVE for disk or for replicas' sockets).
    pub child: Option<RdbChild>,
    /// INFO stats counters.
    pub stats: Stats,
    /// The saved `dump.rdb`, kept by the simulator across restarts.
    pub disk: Option<Vec<u8>>,
    /// Time of the last successful save (LASTSAVE), Unix seconds.
    pub lastsave_s: u64,
    /// Changes since the last save.
    pub dirty: u64,
    /// Replies finished for blocked local clients, collected by the simulator.
    pub ready_replies: Vec<(ClientId, Reply)>,
    /// Set when the node decided to exit (SHUTDOWN): whether it saved.
    pub exited: Option<bool>,
    /// PSYNC requests answered as a master, newest last (capped).
    pub psync_events: Vec<super::psync::PsyncEvent>,
    /// The time of the event being handled (for checks deep in the feed).
    pub(crate) clock_ms: u64,
    /// Replica connections to close once the current event is handled.
    pub(crate) to_close: Vec<ConnId>,
    /// Ops collected while EXEC runs, propagated together at its end.
    pub(crate) in_exec: Option<Vec<Op>>,
    /// The ops vector each data command fills, kept for the next one.
    pub(crate) ops_buf: Vec<Op>,
    /// The arguments of the request being run, parsed into buffers kept for
    /// the next request ([`resp::parse_command_into`]).
    pub(crate) argv_buf: Vec<Bytes>,
    /// The bytes of the command being fed to the replication stream, kept
    /// for the next one.
    pub(crate) feed_buf: Vec<u8>,
    /// `DEBUG SET-ACTIVE-EXPIRE`: whether serverCron deletes expired keys.
    pub active_expire_enabled: bool,
    /// When the next key may expire, as far as the master knows (`None`: no
    /// key has a TTL). Lets the cron skip scanning a keyspace without TTLs.
    pub(crate) next_expiry_ms: Option<u64>,
    pub(crate) rng: Rng,
    pub(crate) next_client_id: u64,
    pub(crate) cron_loops: u64,
    pub(crate) repl_cron_loops: u64,
    pub(crate) next_cron_ms: u64,
    /// `DEBUG SLEEP`: the server does nothing until this time.
    pub busy_until_ms: u64,
    /// The RDB load in progress (`server.loading`), if any.
    pub loading: Option<Box<super::loading::Loading>>,
    pub(crate) getack_pending: bool,
}

/// Milliseconds between two serverCron runs (`hz 10`).
pub const CRON_PERIOD_MS: u64 = 100;

impl Node {
    /// Starts a redis-server on `port` with `config`, loading `disk` (the
    /// `dump.rdb` of an earlier run) if there is one.
    pub fn start(port: Port, config: Config, disk: Option<Vec<u8>>, seed: u64, now: u64) -> Node {
        let mut rng = Rng::new(seed);
        let pid = rng.range(1000, 60000) as u32;
        let run_id = rng.hex40();
        let replid = rng.hex40();
        let mut node = Node {
            port,
            pid,
            run_id,
            config,
            keyspace: Keyspace::default(),
            log: Log::default(),
            started_ms: now,
            repl: ReplIds { replid, replid2: NULL_REPLID.into(), offset: 0, second_offset: -1 },
            backlog: None,
            slaveseldb: -1,
            no_replicas_since_s: now / 1000,
            clients: VecMap::new(),
            locals: VecMap::new(),
            upstream: None,
            child: None,
            stats: Stats::default(),
            disk,
            lastsave_s: now / 1000,
            dirty: 0,
            ready_replies: Vec::new(),
            exited: None,
            rng,
            next_client_id: 3,
            cron_loops: 0,
            repl_cron_loops: 0,
            next_cron_ms: now + 1,
            busy_until_ms: 0,
            loading: None,
            getack_pending: false,
            psync_events: Vec::new(),
            clock_ms: now,
            to_close: Vec::new(),
            in_exec: None,
            ops_buf: Vec::new(),
            argv_buf: Vec::new(),
            feed_buf: Vec::new(),
            active_expire_enabled: true,
            next_expiry_ms: Some(0),
        };
        node.boot(now);
        node
    }

    fn boot(&mut self, now: u64) {
        let pid = self.pid;
        self.log_as(pid, 'C', now, Level::Warning, "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".into());
        let banner = format!("Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid={pid}, just started");
        self.log_as(pid, 'C', now, Level::Warning, banner);
        self.log_as(pid, 'C', now, Level::Warning, "Configuration loaded".into());
        // `replicaof` in the configuration makes the server a replica from
        // its first log line on.
        if let Some((host, port)) = self.config.replicaof.clone() {
            self.upstream = Some(Upstream::new(host, port, now));
        }
        self.log(now, Level::Notice, "monotonic clock: POSIX clock_gettime".into());
        self.log(now, Level::Notice, format!("Running mode=standalone, port={}.", self.port));
        self.log(now, Level::Warning, "Server initialized".into());
        if self.disk.is_some() {
            self.start_startup_load(now);
        } else {
            self.log(now, Level::Notice, "Ready to accept connections".into());
        }
    }

    /// The end of `loadDataFromDisk`: a master drops the keys that expired
    /// while it was down, and the replication ID and offset saved in the
    /// file are restored (PSYNC2 after a restart).
    pub(crate) fn finish_startup_load(&mut self, mut loaded: super::rdb::Loaded, took_ms: u64, now: u64) {
        let mut expired: Vec<(usize, Bytes)> = Vec::new();
        if self.upstream.is_none() {
            for (i, db) in loaded.keyspace.dbs.iter_mut().enumerate() {
                expired.extend(db.entries.iter().filter(|(_, e)| e.is_expired(now)).map(|(k, _)| (i, k.clone())));
                db.entries.retain(|_, e| !e.is_expired(now));
            }
        }
        self.log_rdb_done(loaded.keyspace.total_keys() as u64, expired.len() as u64, now);
        let secs = super::decimal::fixed(took_ms as f64 / 1000.0, 3);
        self.log(now, Level::Notice, format!("DB loaded from disk: {secs} seconds"));
        if let Some(info) = loaded.repl.clone() {
            let offset = info.repl_offset.max(0) as u64;
            let db = info.master_db();
            if self.upstream.is_some() {
                let msg = "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.";
                self.log(now, Level::Notice, msg.into());
            }
            match self.upstream.as_mut() {
                Some(up) => {
                    self.repl.replid = info.repl_id.clone();
                    self.repl.offset = offset;
                    up.cached = Some(super::handshake::MasterLink::new(info.repl_id, offset, db, now));
                }
                None => {
                    self.repl.replid2 = info.repl_id;
                    self.repl.second_offset = offset as i64 + 1;
                    self.repl.offset = offset;
                    self.backlog = Some(Backlog::new(self.config.repl_backlog_size as u64, offset));
                    self.no_replicas_since_s = now / 1000;
                    // RDBFLAGS_FEED_REPL: the DELs of the keys dropped go to
                    // the backlog after the saved offset, so replicas that
                    // continue from it drop them too.
                    for (db, key) in expired {
                        self.feed_replication(db as i64, &[b"DEL".to_vec(), key]);
                    }
                }
            }
        }
        self.keyspace = loaded.keyspace;
        self.next_expiry_ms = Some(0);
        self.log(now, Level::Notice, "Ready to accept connections".into());
    }

    /// Writes a log line as the server process.
    pub fn log(&mut self, now: u64, level: Level, message: String) {
        let role = if self.upstream.is_some() { 'S' } else { 'M' };
        self.log_as(self.pid, role, now, level, message);
    }

    pub(crate) fn log_as(&mut self, pid: u32, role: char, now: u64, level: Level, message: String) {
        self.log.push(LogLine { pid, role, time_ms: now, level, message });
    }

    /// True while the node is a replica (`masterhost` is set).
    pub fn is_replica(&self) -> bool {
        self.upstream.is_some()
    }

    /// Active expiry (serverCron's `activeExpireCycle`): a master deletes
    /// expired keys and propagates a DEL for each, not wrapped.
    fn active_expire(&mut self, now: u64) {
        if self.upstream.is_some() || !self.active_expire_enabled || self.next_expiry_ms.is_none_or(|t| t > now) {
            return;
        }
        let ops = self.keyspace.active_expire(now);
        self.next_expiry_ms = self.keyspace.dbs.iter().flat_map(|d| d.entries.values()).filter_map(|e| e.expire_at_ms).min();
        self.stats.expired_keys += ops.len() as u64;
        for op in ops {
            self.feed_replication(op.db as i64, &op.argv);
        }
    }

    /// The next time the node wants to run on its own (cron, deadlines).
    #[inline]
    pub fn next_wakeup(&self) -> u64 {
        if let Some(loading) = &self.loading {
            // No cron while loading: only the next chunk.
            return loading.chunk_done_ms.max(self.busy_until_ms);
        }
        let mut t = self.next_cron_ms.max(self.busy_until_ms);
        if let Some(child) = &self.child {
            t = t.min(child.done_ms.max(self.busy_until_ms));
        }
        t
    }

    /// Has the node replies for local clients ready, or exited? (Then
    /// the simulator collects them after the event-loop turn.)
    #[inline(always)]
    pub fn has_results(&self) -> bool {
        !self.ready_replies.is_empty() || self.exited.is_some()
    }

    /// True while DEBUG SLEEP keeps the server from doing anything.
    pub fn busy(&self, now: u64) -> bool {
        now < self.busy_until_ms
    }

    /// Runs whatever is due at `now`: serverCron every 100 ms (with
    /// replicationCron every second), the RDB child finishing, blocked
    /// clients' timeouts.
    pub fn handle_timeout(&mut self, now: u64, io: &mut dyn Transport) {
        self.clock_ms = now;
        if self.busy(now) || self.exited.is_some() {
            return;
        }
        if self.loading.is_some() {
            self.loading_step(now, io);
            if self.loading.is_some() {
                self.before_sleep(now, io);
                return;
            }
        }
        if self.child.as_ref().is_some_and(|c| c.done_ms <= now) {
            self.rdb_child_done(now, io);
        }
        while self.next_cron_ms <= now {
            let at = self.next_cron_ms;
            self.next_cron_ms += CRON_PERIOD_MS;
            if self.cron_loops.is_multiple_of(10) {
                self.replication_cron(at, io);
            }
            self.cron_loops += 1;
            self.active_expire(at);
            self.check_blocked(at, io);
        }
        self.before_sleep(now, io);
    }

    /// `beforeSleep`: sends GETACK if a WAIT asked for it, unblocks clients,
    /// and writes pending output.
    pub fn before_sleep(&mut self, now: u64, io: &mut dyn Transport) {
        self.clock_ms = now;
        // Guarded: taking and dropping the empty list is calls in wasm, every turn.
        if !self.to_close.is_empty() {
            for conn in std::mem::take(&mut self.to_close) {
                self.drop_replica(conn, now, io);
            }
        }
        if self.getack_pending {
            self.getack_pending = false;
            self.send_getack();
        }
        self.check_blocked(now, io);
        self.flush(now, io);
        self.after_flush(now, io);
        // The replicas' references matter only if the oldest block could go.
        // (Untrimmable, the backlog has nothing to do: its first byte's
        // offset follows every write.)
        if self.backlog.as_ref().is_some_and(Backlog::trimmable) {
            let min_ref = self.min_replica_ref();
            if let Some(b) = self.backlog.as_mut() {
                b.before_sleep(min_ref);
            }
        }
        if self.psync_events.len() > 64 {
            self.psync_events.drain(..self.psync_events.len() - 64);
        }
    }

    /// New client id for an accepted connection.
    pub fn accept(&mut self, conn: ConnId, now: u64) {
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.stats.total_connections_received += 1;
        let auth = self.config.password().is_empty();
        self.clients.insert(conn, Client::new(id, now, auth));
    }

    /// Bytes arrived on a connection: the master link, or a client's requests.
    pub fn handle_data(&mut self, conn: ConnId, bytes: &[u8], now: u64, io: &mut dyn Transport) {
        self.clock_ms = now;
        self.stats.net_input_bytes += bytes.len() as u64;
        if self.upstream.as_ref().is_some_and(|u| u.conn == Some(conn)) {
            self.upstream_data(bytes, now, io);
        } else if let Some(mut client) = self.clients.remove(&conn) {
            client.inbuf.extend_from_slice(bytes);
            let keep = self.serve_requests(conn, &mut client, now, io);
            if keep {
                self.clients.insert(conn, client);
            } else {
                io.close(conn);
            }
        }
        self.before_sleep(now, io);
    }

    /// Parses and runs every complete request a network client sent.
    /// Returns false if the connection must be closed (protocol error).
    fn serve_requests(&mut self, conn: ConnId, client: &mut Client, now: u64, io: &mut dyn Transport) -> bool {
        let mut argv = std::mem::take(&mut self.argv_buf);
        let keep = loop {
            match resp::parse_command_into(&client.inbuf, &mut argv) {
                Ok(None) => break true,
                Err(e) => {
                    let reply = Reply::Error(format!("ERR {e}"));
                    client.out.extend(reply.encode());
                    break false;
                }
                Ok(Some(used)) => {
                    client.inbuf.drain(..used);
                    if argv.is_empty() {
                        // A replica's bare newline refreshes its ACK time:
                        // how a replica loading a big RDB stays alive.
                        if let Some(r) = client.replica.as_mut() {
                            r.ack_time_ms = now;
                        }
                        continue;
                    }
                    if client.replica.is_some() {
                        self.replica_request(conn, client, &argv, now);
                        continue;
                    }
                    if let Some(reply) = self.process(client, &mut argv, now, io, ClientKind::Network(conn)) {
                        client.out.extend(reply.encode());
                    }
                }
            }
        };
        self.argv_buf = argv;
        keep
    }

    /// A connection closed by the peer (or reset).
    pub fn handle_closed(&mut self, conn: ConnId, now: u64, io: &mut dyn Transport) {
        self.clock_ms = now;
        if self.upstream.as_ref().is_some_and(|u| u.conn == Some(conn)) {
            self.upstream_closed(now, io);
        } else if let Some(client) = self.clients.remove(&conn)
            && client.replica.is_some() {
            self.replica_gone(conn, &client, now);
        }
        self.before_sleep(now, io);
    }

    /// Forgets a connection this node's end of which was reset from outside
    /// (CLIENT KILL by the simulator).
    pub fn drop_connection(&mut self, conn: ConnId, now: u64, io: &mut dyn Transport) {
        self.clock_ms = now;
        if let Some(client) = self.clients.remove(&conn) {
            if client.replica.is_some() {
                self.replica_gone(conn, &client, now);
            }
        } else if self.upstream.as_ref().is_some_and(|u| u.conn == Some(conn)) {
            self.upstream_closed(now, io);
        }
    }

    /// The master link closed. A loading replica does not read the socket,
    /// so it notices only once the load is over.
    fn upstream_closed(&mut self, now: u64, io: &mut dyn Transport) {
        match self.loading.as_mut() {
            Some(loading) => loading.master_gone = true,
            None => self.upstream_lost(now, io),
        }
    }

    /// Writes as much pending output as the sockets take.
    pub fn flush(&mut self, now: u64, io: &mut dyn Transport) {
        // Writing never adds or removes a client. One with nothing to
        // write (the usual case) is seen by position, not looked up.
        let end = self.repl.offset;
        let mut i = 0;
        while let Some((&conn, client)) = self.clients.at(i) {
            i += 1;
            if client.out.is_empty() && !streams_to(client, end) {
                continue;
            }
            self.flush_client(conn, now, io);
        }
        self.flush_upstream(io);
    }

    fn flush_client(&mut self, conn: ConnId, now: u64, io: &mut dyn Transport) {
        let end = self.repl.offset;
        let Some(client) = self.clients.get_mut(&conn) else { return };
        // A client with nothing to write (the usual case) is not asked
        // about its socket.
        if client.out.is_empty() && !streams_to(client, end) {
            return;
        }
        let mut room = io.writable(conn);
        if room > 0 && !client.out.is_empty() {
            let n = room.min(client.out.len());
            let chunk = client.out.take_front(n);
            room -= n;
            self.stats.net_output_bytes += n as u64;
            io.send(conn, chunk);
        }
        let Some(client) = self.clients.get(&conn) else { return };
        if room > 0 && client.out.is_empty() {
            self.flush_stream(conn, room, now, io);
        }
    }
}

/// Does `client`, a replica streaming from the backlog, have stream bytes
/// to be sent (the stream's end being `end`)?
#[inline(always)]
fn streams_to(client: &Client, end: u64) -> bool {
    match &client.replica {
        Some(r) => matches!(r.stream_from, Some(from) if from <= end),
        None => false,
    }
}
