//! The replica side of replication (`replicationSetMaster`, `connectWithMaster`,
//! `syncWithMaster`, `slaveTryPartialResynchronization`, `readSyncBulkPayload`):
//! the 7.0 state machine from CONNECT to CONNECTED, the RDB transfer, and the
//! master link applying the replication stream.

use super::keyspace::Bytes;
use super::log::Level;
use super::net::{ConnId, Port};
use super::node::{Client, Node, Transport};
use super::rdb_transfer::take_line;
use super::resp;
use crate::engine::backlog::Backlog;

/// `repl_state`: where a replica is in connecting to its master.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReplState {
    /// Must connect (REPLICAOF was given, or the link dropped).
    Connect,
    /// Non-blocking connect in progress.
    Connecting,
    /// PING sent, waiting for its reply.
    ReceivePingReply,
    /// About to send AUTH and REPLCONF.
    SendHandshake,
    /// Waiting for the reply to AUTH.
    ReceiveAuthReply,
    /// Waiting for the reply to REPLCONF listening-port.
    ReceivePortReply,
    /// Waiting for the reply to REPLCONF ip-address.
    ReceiveIpReply,
    /// Waiting for the reply to REPLCONF capa.
    ReceiveCapaReply,
    /// About to send PSYNC.
    SendPsync,
    /// PSYNC sent, waiting for +FULLRESYNC / +CONTINUE.
    ReceivePsyncReply,
    /// Receiving the RDB payload.
    Transfer,
    /// Streaming: the master link applies the replication stream.
    Connected,
}

/// The six steps of setting up replication as the textbooks teach them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// 1. Save the master's address (REPLICAOF replies at once).
    SaveMasterInfo = 1,
    /// 2. Open the socket to the master.
    Connect = 2,
    /// 3. Send PING and wait for PONG.
    Ping = 3,
    /// 4. Authenticate and announce port, IP and capabilities.
    Auth = 4,
    /// 5. Synchronise the dataset (PSYNC, then full or partial).
    SyncData = 5,
    /// 6. Continuous command propagation.
    Propagate = 6,
}

impl ReplState {
    /// The constant's name in server.h, e.g. `REPL_STATE_CONNECT`.
    pub fn redis_name(self) -> &'static str {
        match self {
            ReplState::Connect => "REPL_STATE_CONNECT",
            ReplState::Connecting => "REPL_STATE_CONNECTING",
            ReplState::ReceivePingReply => "REPL_STATE_RECEIVE_PING_REPLY",
            ReplState::SendHandshake => "REPL_STATE_SEND_HANDSHAKE",
            ReplState::ReceiveAuthReply => "REPL_STATE_RECEIVE_AUTH_REPLY",
            ReplState::ReceivePortReply => "REPL_STATE_RECEIVE_PORT_REPLY",
            ReplState::ReceiveIpReply => "REPL_STATE_RECEIVE_IP_REPLY",
            ReplState::ReceiveCapaReply => "REPL_STATE_RECEIVE_CAPA_REPLY",
            ReplState::SendPsync => "REPL_STATE_SEND_PSYNC",
            ReplState::ReceivePsyncReply => "REPL_STATE_RECEIVE_PSYNC_REPLY",
            ReplState::Transfer => "REPL_STATE_TRANSFER",
            ReplState::Connected => "REPL_STATE_CONNECTED",
        }
    }

    /// Which textbook phase this state belongs to.
    pub fn phase(self) -> Phase {
        match self {
            ReplState::Connect => Phase::SaveMasterInfo,
            ReplState::Connecting => Phase::Connect,
            ReplState::ReceivePingReply => Phase::Ping,
            ReplState::SendHandshake
            | ReplState::ReceiveAuthReply
            | ReplState::ReceivePortReply
            | ReplState::ReceiveIpReply
            | ReplState::ReceiveCapaReply => Phase::Auth,
            ReplState::SendPsync | ReplState::ReceivePsyncReply | ReplState::Transfer => Phase::SyncData,
            ReplState::Connected => Phase::Propagate,
        }
    }

    /// `slaveIsInHandshakeState`.
    pub fn in_handshake(self) -> bool {
        self >= ReplState::ReceivePingReply && self <= ReplState::ReceivePsyncReply
    }

    /// The state word ROLE prints: connect, connecting, handshake, sync, connected.
    pub fn role_word(self) -> &'static str {
        match self {
            ReplState::Connect => "connect",
            ReplState::Connecting => "connecting",
            ReplState::Transfer => "sync",
            ReplState::Connected => "connected",
            _ => "handshake",
        }
    }
}

/// `server.master` / `server.cached_master`: the link's replication position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MasterLink {
    /// The master's replication ID as this replica knows it.
    pub replid: String,
    /// `reploff`: offset of the last byte applied.
    pub reploff: u64,
    /// `read_reploff`: offset of the last byte read from the socket.
    pub read_reploff: u64,
    /// Database the stream has selected.
    pub db: usize,
    /// Commands queued inside MULTI.
    pub multi: Option<Vec<Vec<Bytes>>>,
    /// The stream bytes of the transaction being queued, from its MULTI on:
    /// as in Redis 7.0, `reploff` stays at the MULTI until EXEC, when the
    /// whole transaction is applied, counted and proxied at once.
    pub multi_bytes: Vec<u8>,
    /// Unparsed stream bytes.
    pub inbuf: Vec<u8>,
    /// Last time data came from the master (Unix ms).
    pub last_interaction_ms: u64,
}

impl MasterLink {
    /// A link positioned at `offset` of history `replid`, the stream in `db`
    /// (`replicationCreateMasterClient`).
    pub fn new(replid: String, offset: u64, db: usize, now: u64) -> Self {
        MasterLink { replid, reploff: offset, read_reploff: offset, db, multi: None, multi_bytes: Vec::new(), inbuf: Vec::new(), last_interaction_ms: now }
    }

    /// `replicationCacheMaster`: forget what was read but not applied (a
    /// partial command, an unfinished transaction); the next PSYNC asks
    /// for it again.
    pub fn discard_unapplied(&mut self) {
        self.inbuf.clear();
        self.multi = None;
        self.multi_bytes.clear();
        self.read_reploff = self.reploff;
    }
}

/// How the RDB payload is framed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `$<len>`: a disk-based transfer of a known size.
    Length(usize),
    /// `$EOF:<40 bytes>`: a diskless stream ended by the same 40 bytes.
    EofMark(Vec<u8>),
}

/// An RDB transfer in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Framing, once the `$` line arrived.
    pub framing: Option<Framing>,
    /// Payload bytes read so far.
    pub buf: Vec<u8>,
}

/// A replica's link to its master (`masterhost` and everything hanging off it).
#[derive(Clone, Debug)]
pub struct Upstream {
    /// `masterhost`.
    pub host: String,
    /// `masterport`.
    pub port: Port,
    /// `repl_state`.
    pub state: ReplState,
    /// The connection to the master, while one is open.
    pub conn: Option<ConnId>,
    /// Handshake reply bytes not yet consumed.
    pub(crate) inbuf: Vec<u8>,
    /// Bytes to write to the master.
    pub(crate) out: Vec<u8>,
    /// The live master link (CONNECTED).
    pub master: Option<MasterLink>,
    /// The cached master used for the next PSYNC.
    pub cached: Option<MasterLink>,
    /// The RDB transfer (TRANSFER).
    pub transfer: Option<Transfer>,
    /// `master_initial_offset` / replid from +FULLRESYNC.
    pub full_sync: Option<(String, u64)>,
    /// `repl_transfer_lastio`: last handshake/transfer progress (Unix ms).
    pub lastio_ms: u64,
    /// `repl_down_since` (Unix ms), 0 if never up since REPLICAOF.
    pub down_since_ms: u64,
    /// What the last PSYNC asked for (replid, offset), for the page's callout.
    pub last_psync: Option<(String, i64)>,
    /// The pseudo-client the master's stream runs through, kept between
    /// commands (taken out while one runs).
    pub(crate) master_client: Option<Box<Client>>,
}

impl Upstream {
    /// A replica of `host:port` in state CONNECT.
    pub fn new(host: String, port: Port, now: u64) -> Self {
        Upstream {
            host,
            port,
            state: ReplState::Connect,
            conn: None,
            inbuf: Vec::new(),
            out: Vec::new(),
            master: None,
            cached: None,
            transfer: None,
            full_sync: None,
            lastio_ms: now,
            down_since_ms: 0,
            last_psync: None,
            master_client: None,
        }
    }

    /// True when the link is up (CONNECTED).
    #[inline(always)]
    pub fn is_connected(&self) -> bool {
        self.state == ReplState::Connected
    }

    pub(crate) fn send(&mut self, argv: &[&[u8]]) {
        let mut owned: Vec<Bytes> = Vec::with_capacity(argv.len());
        for a in argv {
            owned.push(a.to_vec());
        }
        let argv = owned;
        self.out.extend(resp::encode_command(&argv));
    }
}


impl Node {
    #[inline(always)]
    pub(crate) fn up(&mut self) -> &mut Upstream {
        self.upstream.as_mut().expect("node is a replica")
    }

    /// `connectWithMaster`: opens the socket, state CONNECTING.
    pub(crate) fn connect_with_master(&mut self, now: u64, io: &mut dyn Transport) {
        let port = self.up().port;
        let conn = io.connect(port);
        let up = self.up();
        up.conn = Some(conn);
        up.state = ReplState::Connecting;
        up.lastio_ms = now;
        up.inbuf.clear();
        self.log(now, Level::Notice, "MASTER <-> REPLICA sync started".into());
    }

    /// The non-blocking connect completed: send PING.
    pub fn handle_connected(&mut self, conn: ConnId, now: u64, io: &mut dyn Transport) {
        let Some(up) = self.upstream.as_mut() else { return io.close(conn) };
        if up.conn != Some(conn) || up.state != ReplState::Connecting {
            return io.close(conn);
        }
        self.log(now, Level::Notice, "Non blocking connect for SYNC fired the event.".into());
        let up = self.up();
        up.send(&[b"PING"]);
        up.state = ReplState::ReceivePingReply;
        up.lastio_ms = now;
        self.flush_upstream(io);
    }

    /// The connect was refused (nothing listens at the master's port).
    pub fn handle_refused(&mut self, conn: ConnId, now: u64) {
        if self.upstream.as_ref().is_some_and(|u| u.conn == Some(conn)) {
            self.log(now, Level::Warning, "Error condition on socket for SYNC: Connection refused".into());
            let up = self.up();
            up.conn = None;
            up.state = ReplState::Connect;
        }
    }

    /// Writes the replica's pending bytes to its master.
    pub(crate) fn flush_upstream(&mut self, io: &mut dyn Transport) {
        let Some(up) = self.upstream.as_mut() else { return };
        let Some(conn) = up.conn else { return };
        if up.out.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut up.out);
        self.stats.net_output_bytes += bytes.len() as u64;
        io.send(conn, bytes);
    }

    /// `cancelReplicationHandshake`: drop the half-open link, back to CONNECT.
    pub(crate) fn cancel_handshake(&mut self, io: &mut dyn Transport) {
        let up = self.up();
        if let Some(conn) = up.conn.take() {
            io.close(conn);
        }
        up.state = ReplState::Connect;
        up.transfer = None;
        up.inbuf.clear();
        up.out.clear();
    }

    /// Bytes from the master, whatever the state.
    pub(crate) fn upstream_data(&mut self, bytes: &[u8], now: u64, io: &mut dyn Transport) {
        let up = self.up();
        up.lastio_ms = now;
        if up.state == ReplState::Connected {
            self.stream_from_master(bytes, now, io);
            return;
        }
        up.inbuf.extend_from_slice(bytes);
        loop {
            let state = self.up().state;
            let progressed = match state {
                // While the file loads nothing is read from the master: its
                // stream waits in the buffer (in the kernel, for Redis).
                ReplState::Transfer if self.loading.is_some() => false,
                ReplState::Transfer => self.read_bulk_payload(now, io),
                ReplState::Connected => {
                    self.stream_buffered(now, io);
                    false
                }
                s if s.in_handshake() => self.handshake_step(now, io),
                _ => false,
            };
            if !progressed || self.upstream.is_none() {
                break;
            }
        }
        self.flush_upstream(io);
    }

    /// One reply of the handshake. Returns whether a line was consumed.
    /// Out of line: kept out of `handle_data`, which every stream read runs.
    #[inline(never)]
    fn handshake_step(&mut self, now: u64, io: &mut dyn Transport) -> bool {
        let Some(line) = take_line(&mut self.up().inbuf) else { return false };
        match self.up().state {
            ReplState::ReceivePingReply => {
                let refused = line.starts_with('-')
                    && !line.starts_with("-NOAUTH")
                    && !line.starts_with("-NOPERM")
                    && !line.starts_with("-ERR operation not permitted");
                if refused {
                    self.log(now, Level::Warning, format!("Error reply to PING from master: '{}'", &line));
                    self.cancel_handshake(io);
                    return false;
                }
                self.log(now, Level::Notice, "Master replied to PING, replication can continue...".into());
                self.send_handshake();
            }
            ReplState::ReceiveAuthReply => {
                if let Some(err) = line.strip_prefix('-') {
                    self.log(now, Level::Warning, format!("Unable to AUTH to MASTER: {err}"));
                    self.cancel_handshake(io);
                    return false;
                }
                self.up().state = ReplState::ReceivePortReply;
            }
            ReplState::ReceivePortReply => {
                if let Some(err) = line.strip_prefix('-') {
                    self.log(now, Level::Notice, format!("(Non critical) Master does not understand REPLCONF listening-port: {err}"));
                }
                let next = if self.config.announce_ip().is_empty() { ReplState::ReceiveCapaReply } else { ReplState::ReceiveIpReply };
                self.up().state = next;
            }
            ReplState::ReceiveIpReply => {
                if let Some(err) = line.strip_prefix('-') {
                    self.log(now, Level::Notice, format!("(Non critical) Master does not understand REPLCONF ip-address: {err}"));
                }
                self.up().state = ReplState::ReceiveCapaReply;
            }
            ReplState::ReceiveCapaReply => {
                if let Some(err) = line.strip_prefix('-') {
                    self.log(now, Level::Notice, format!("(Non critical) Master does not understand REPLCONF capa: {err}"));
                }
                self.send_psync(now);
            }
            ReplState::ReceivePsyncReply => return self.psync_reply(line, now, io),
            _ => {}
        }
        true
    }

    /// SEND_HANDSHAKE: AUTH (if masterauth), REPLCONF listening-port,
    /// ip-address (if announced) and capa, pipelined in one write.
    fn send_handshake(&mut self) {
        let auth = self.config.master_password().to_string();
        let user = self.config.master_user().to_string();
        let port = self.port.to_string();
        let ip = self.config.announce_ip().to_string();
        let up = self.up();
        if !auth.is_empty() {
            if user.is_empty() {
                up.send(&[b"AUTH", auth.as_bytes()]);
            } else {
                up.send(&[b"AUTH", user.as_bytes(), auth.as_bytes()]);
            }
        }
        up.send(&[b"REPLCONF", b"listening-port", port.as_bytes()]);
        if !ip.is_empty() {
            up.send(&[b"REPLCONF", b"ip-address", ip.as_bytes()]);
        }
        up.send(&[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]);
        up.state = if auth.is_empty() { ReplState::ReceivePortReply } else { ReplState::ReceiveAuthReply };
    }

    /// SEND_PSYNC: ask to continue from the cached master, or `PSYNC ? -1`.
    fn send_psync(&mut self, now: u64) {
        let cached = self.up().cached.as_ref().map(|c| (c.replid.clone(), c.reploff + 1));
        let (id, off) = match cached {
            Some((id, off)) => {
                self.log(now, Level::Notice, format!("Trying a partial resynchronization (request {id}:{off})."));
                (id, off as i64)
            }
            None => {
                self.log(now, Level::Notice, "Partial resynchronization not possible (no cached master)".into());
                ("?".to_string(), -1)
            }
        };
        let up = self.up();
        up.send(&[b"PSYNC", id.as_bytes(), off.to_string().as_bytes()]);
        up.last_psync = Some((id, off));
        up.state = ReplState::ReceivePsyncReply;
    }

    /// RECEIVE_PSYNC_REPLY.
    fn psync_reply(&mut self, line: String, now: u64, io: &mut dyn Transport) -> bool {
        if line.is_empty() {
            return true; // a keepalive newline while the master prepares the RDB
        }
        if let Some(rest) = line.strip_prefix("+FULLRESYNC") {
            let mut parts = rest.split_whitespace();
            let id = parts.next().unwrap_or("").to_string();
            let off: u64 = parts.next().and_then(|o| o.parse().ok()).unwrap_or(0);
            self.log(now, Level::Notice, format!("Full resync from master: {id}:{off}"));
            let up = self.up();
            up.full_sync = Some((id, off));
            up.state = ReplState::Transfer;
            up.transfer = Some(Transfer { framing: None, buf: Vec::new() });
            return true;
        }
        if let Some(rest) = line.strip_prefix("+CONTINUE") {
            self.log(now, Level::Notice, "Successful partial resynchronization with master.".into());
            let new_id = rest.trim().to_string();
            let cached = self.up().cached.take().expect("PSYNC +CONTINUE needs a cached master");
            let mut master = cached;
            if !new_id.is_empty() && new_id != master.replid {
                // The master's history forked (it was promoted): remember ours as replid2.
                self.repl.replid2 = master.replid.clone();
                self.repl.second_offset = self.repl.offset as i64 + 1;
                self.repl.replid = new_id.clone();
                master.replid = new_id.clone();
                self.log(now, Level::Warning, format!("Master replication ID changed to {new_id}"));
                self.disconnect_replicas(now, io);
            }
            master.last_interaction_ms = now;
            master.inbuf.clear();
            if self.backlog.is_none() {
                // Restarted from an RDB: the backlog starts at our offset.
                self.backlog = Some(Backlog::new(self.config.repl_backlog_size as u64, self.repl.offset));
            }
            let up = self.up();
            up.master = Some(master);
            up.state = ReplState::Connected;
            up.down_since_ms = 0;
            self.log(now, Level::Notice, "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.".into());
            return true;
        }
        if line.starts_with("-NOMASTERLINK") || line.starts_with("-LOADING") {
            let msg = format!("Master is currently unable to PSYNC but should be in the future: {line}");
            self.log(now, Level::Notice, msg);
        } else {
            self.log(now, Level::Warning, format!("Unexpected reply to PSYNC from master: {line}"));
        }
        self.cancel_handshake(io);
        false
    }

}
