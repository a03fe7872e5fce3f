//! The commands a node implements itself rather than the data commands:
//! connection (AUTH, SELECT, PING, ECHO), replication (REPLICAOF, PSYNC,
//! REPLCONF, WAIT, ROLE, INFO), configuration, persistence (SAVE, BGSAVE,
//! SHUTDOWN) and transactions (MULTI/EXEC); DEBUG is in [`super::debug`].

use super::command;
use super::handshake::Upstream;
use super::keyspace::{Bytes, DATABASES};
use super::log::Level;
use super::node::{Blocked, Client, ClientKind, Node, Transport};
use super::resp::{parse_i64, Reply};

pub(super) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(super) const NOT_INT: &str = "ERR value is not an integer or out of range";

impl Node {
    /// Dispatches a non-data command. `None` = the client is blocked or the
    /// reply was already written (PSYNC). Kept out of `process` (where a
    /// data command's path runs) so that function stays small.
    #[inline(never)]
    pub(crate) fn admin_command(
        &mut self,
        client: &mut Client,
        name: &str,
        argv: Vec<Bytes>,
        now: u64,
        io: &mut dyn Transport,
        kind: ClientKind,
    ) -> Option<Reply> {
        let arg = |i: usize| argv.get(i).map(|a| text(a)).unwrap_or_default();
        let reply = match name {
            "ping" if argv.len() > 2 => Reply::Error(command::arity_error("ping")),
            "ping" => argv.get(1).map_or(Reply::Status("PONG".into()), Reply::bulk),
            "echo" => Reply::bulk(&argv[1]),
            "auth" => self.auth(client, &argv),
            "select" => match parse_i64(&argv[1]) {
                Some(i) if (0..DATABASES as i64).contains(&i) => {
                    client.db = i as usize;
                    Reply::ok()
                }
                Some(_) => Reply::Error("ERR DB index is out of range".into()),
                None => Reply::Error(NOT_INT.into()),
            },
            "info" => {
                let mut sections = Vec::with_capacity(argv.len());
                for a in &argv[1..] {
                    sections.push(text(a));
                }
                Reply::Bulk(self.info(&sections, now).into_bytes())
            }
            "role" => self.role(),
            "replicaof" | "slaveof" => self.replicaof(client, &arg(1), &arg(2), now, io),
            "config" => self.config_command(&argv, now),
            "wait" => return self.wait(client, &argv, now),
            "debug" => return self.debug(client, &argv, now),
            "save" => self.save(now),
            "bgsave" => {
                if self.child.is_some() {
                    Reply::Error("ERR Background save already in progress".into())
                } else {
                    self.start_bgsave(now);
                    Reply::Status("Background saving started".into())
                }
            }
            "lastsave" => Reply::Integer(self.lastsave_s as i64),
            "time" => Reply::Array(vec![Reply::bulk((now / 1000).to_string()), Reply::bulk((now % 1000 * 1000).to_string())]),
            "shutdown" => return self.shutdown_command(client, &argv, now),
            "psync" | "sync" => {
                let ClientKind::Network(conn) = kind else {
                    return Some(Reply::Error("ERR Replica mode is only available to replicas connecting over the network".into()));
                };
                let (id, off) = if name == "psync" { (arg(1), parse_i64(&argv[2]).unwrap_or(-1)) } else { ("?".into(), -1) };
                self.sync_command(conn, client, &id, off, now);
                return None;
            }
            "replconf" => self.replconf(client, &argv),
            "multi" => {
                if client.multi.is_some() {
                    Reply::Error("ERR MULTI calls can not be nested".into())
                } else {
                    client.multi = Some(Vec::new());
                    Reply::ok()
                }
            }
            "exec" => return Some(self.exec(client, now, io, kind)),
            "discard" => match client.multi.take() {
                Some(_) => {
                    client.multi_failed = false;
                    Reply::ok()
                }
                None => Reply::Error("ERR DISCARD without MULTI".into()),
            },
            "client" => self.client_command(client, &argv, now, io),
            "command" => match argv.get(1).map(|a| a.to_ascii_lowercase()) {
                Some(sub) if sub == b"count" => Reply::Integer(command::COMMANDS.len() as i64),
                None | Some(_) => Reply::Array(vec![]),
            },
            other => Reply::Error(command::unknown_command_error(&[other.as_bytes().to_vec()])),
        };
        Some(reply)
    }

    fn auth(&mut self, client: &mut Client, argv: &[Bytes]) -> Reply {
        if argv.len() > 3 {
            return Reply::Error("ERR syntax error".into());
        }
        let pass = self.config.password().to_string();
        if argv.len() == 2 && pass.is_empty() {
            return Reply::Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?".into());
        }
        let (user, given) = if argv.len() == 3 { (text(&argv[1]), text(&argv[2])) } else { ("default".into(), text(&argv[1])) };
        if user == "default" && (pass.is_empty() || given == *pass) {
            client.authenticated = true;
            Reply::ok()
        } else {
            Reply::Error("WRONGPASS invalid username-password pair or user is disabled.".into())
        }
    }

    /// `REPLICAOF host port` / `REPLICAOF NO ONE`.
    fn replicaof(&mut self, client: &Client, host: &str, port: &str, now: u64, io: &mut dyn Transport) -> Reply {
        if host.eq_ignore_ascii_case("no") && port.eq_ignore_ascii_case("one") {
            if self.upstream.is_some() {
                self.unset_master(now, io);
                let info = self.client_info(client, now, "N", 0);
                self.log(now, Level::Notice, format!("MASTER MODE enabled (user request from '{info}')"));
            }
            return Reply::ok();
        }
        let port = match parse_i64(port.as_bytes()) {
            Some(p) if (0..=65535).contains(&p) => p as u16,
            _ => return Reply::Error("ERR Invalid master port".into()),
        };
        if self.upstream.as_ref().is_some_and(|u| u.host.eq_ignore_ascii_case(host) && u.port == port) {
            self.log(now, Level::Notice, "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.".into());
            return Reply::Status("OK Already connected to specified master".into());
        }
        self.set_master(host.to_string(), port, now, io);
        let info = self.client_info(client, now, "N", 0);
        self.log(now, Level::Notice, format!("REPLICAOF {host}:{port} enabled (user request from '{info}')"));
        Reply::ok()
    }

    /// `replicationSetMaster`.
    pub(crate) fn set_master(&mut self, host: String, port: u16, now: u64, io: &mut dyn Transport) {
        let was_master = self.upstream.is_none();
        let mut cached = None;
        if let Some(mut up) = self.upstream.take() {
            if let Some(conn) = up.conn.take() {
                io.close(conn);
            }
            if let Some(mut master) = up.master.take() {
                master.discard_unapplied();
                self.log(now, Level::Warning, "Connection with master lost.".into());
                self.log(now, Level::Notice, "Caching the disconnected master state.".into());
                cached = Some(master);
            } else {
                cached = up.cached.take();
            }
        }
        self.unblock_all(now);
        let mut up = Upstream::new(host.clone(), port, now);
        if was_master {
            let msg = "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.";
            self.log_as(self.pid, 'S', now, Level::Notice, msg.into());
            cached = Some(super::handshake::MasterLink::new(self.repl.replid.clone(), self.repl.offset, 0, now));
        }
        up.cached = cached;
        self.upstream = Some(up);
        self.log(now, Level::Notice, format!("Connecting to MASTER {host}:{port}"));
        self.connect_with_master(now, io);
    }

    /// `replicationUnsetMaster`: become a master with a new replication ID.
    fn unset_master(&mut self, now: u64, io: &mut dyn Transport) {
        let Some(mut up) = self.upstream.take() else { return };
        if let Some(conn) = up.conn.take() {
            io.close(conn);
        }
        if up.master.is_some() {
            self.log(now, Level::Warning, "Connection with master lost.".into());
            self.log(now, Level::Notice, "Caching the disconnected master state.".into());
            up.cached = up.master.take();
        }
        if up.cached.is_some() {
            self.log(now, Level::Notice, "Discarding previously cached master state.".into());
        }
        self.shift_replication_id(now);
        self.next_expiry_ms = Some(0);
        self.disconnect_replicas(now, io);
        self.slaveseldb = -1;
        self.no_replicas_since_s = now / 1000;
    }

    fn config_command(&mut self, argv: &[Bytes], now: u64) -> Reply {
        let sub = argv.get(1).map(|a| a.to_ascii_lowercase()).unwrap_or_default();
        match sub.as_slice() {
            b"get" if argv.len() >= 3 => {
                let mut out = Vec::new();
                for pattern in &argv[2..] {
                    for (k, v) in self.config.get(&text(pattern)) {
                        if !out.iter().any(|r: &Reply| matches!(r, Reply::Bulk(b) if b == k.as_bytes())) {
                            out.push(Reply::bulk(k));
                            out.push(Reply::bulk(v));
                        }
                    }
                }
                Reply::Array(out)
            }
            b"set" if argv.len() >= 4 && argv.len().is_multiple_of(2) => {
                let mut next = self.config.clone();
                for pair in argv[2..].chunks(2) {
                    if let Err(e) = next.set(&text(&pair[0]), &text(&pair[1])) {
                        return Reply::Error(e);
                    }
                }
                self.apply_config(next, now);
                Reply::ok()
            }
            b"resetstat" if argv.len() == 2 => {
                self.stats = Default::default();
                Reply::ok()
            }
            b"rewrite" if argv.len() == 2 => Reply::Error("ERR The server is running without a config file".into()),
            b"get" | b"set" | b"resetstat" | b"rewrite" => Reply::Error(format!("ERR wrong number of arguments for 'config|{}' command", text(&sub))),
            _ => Reply::Error(format!("ERR unknown subcommand '{}'. Try CONFIG HELP.", text(argv.get(1).map_or(&[][..], |a| a)))),
        }
    }

    /// Installs a new configuration and applies what must change at once.
    fn apply_config(&mut self, next: super::config::Config, now: u64) {
        let resize = next.repl_backlog_size != self.config.repl_backlog_size;
        self.config = next;
        if resize {
            let min_ref = self.min_replica_ref();
            let size = self.config.repl_backlog_size as u64;
            if let Some(b) = self.backlog.as_mut() {
                b.resize(size, min_ref);
            }
        }
        let _ = now;
    }

    fn wait(&mut self, client: &mut Client, argv: &[Bytes], now: u64) -> Option<Reply> {
        if self.upstream.is_some() {
            return Some(Reply::Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.".into()));
        }
        let Some(num) = parse_i64(&argv[1]) else { return Some(Reply::Error(NOT_INT.into())) };
        let timeout = match parse_i64(&argv[2]) {
            Some(t) if t < 0 => return Some(Reply::Error("ERR timeout is negative".into())),
            Some(t) => t as u64,
            None => return Some(Reply::Error("ERR timeout is not an integer or out of range".into())),
        };
        let acked = self.acked_replicas(client.woff);
        if acked as i64 >= num {
            return Some(Reply::Integer(acked as i64));
        }
        client.blocked = Some(Blocked::Wait { numreplicas: num.max(0) as usize, offset: client.woff, deadline_ms: (timeout > 0).then_some(now + timeout) });
        self.getack_pending = true;
        None
    }

    /// Online replicas that acknowledged at least `offset`.
    pub fn acked_replicas(&self, offset: u64) -> usize {
        self.clients
            .values()
            .filter_map(|c| c.replica.as_ref())
            .filter(|r| r.state == super::replicas::ReplicaState::Online && r.ack_off >= offset)
            .count()
    }

    /// `SAVE`: write `dump.rdb` now.
    fn save(&mut self, now: u64) -> Reply {
        if self.child.as_ref().is_some_and(|c| !c.socket) {
            return Reply::Error("ERR Background save already in progress".into());
        }
        self.stats.rdb_saves += 1;
        self.save_now(now);
        Reply::ok()
    }

    /// `rdbSave`: dump.rdb written by the server process itself.
    pub(crate) fn save_now(&mut self, now: u64) {
        self.disk = Some(self.rdb_snapshot(now));
        self.lastsave_s = now / 1000;
        self.dirty = 0;
        self.log(now, Level::Notice, "DB saved on disk".into());
    }

    fn shutdown_command(&mut self, client: &mut Client, argv: &[Bytes], now: u64) -> Option<Reply> {
        let mut save = None;
        for a in &argv[1..] {
            match a.to_ascii_lowercase().as_slice() {
                b"save" => save = Some(true),
                b"nosave" => save = Some(false),
                b"now" | b"force" | b"abort" => {}
                _ => return Some(Reply::Error("ERR syntax error".into())),
            }
        }
        self.log(now, Level::Warning, "User requested shutdown...".into());
        let lagging = self.clients.values().filter_map(|c| c.replica.as_ref()).any(|r| r.ack_off < self.repl.offset);
        if lagging {
            self.log(now, Level::Notice, "Waiting for replicas before shutting down.".into());
            self.getack_pending = true;
            client.blocked = Some(Blocked::Shutdown { save, deadline_ms: now + 10_000 });
            return None;
        }
        self.finish_shutdown(save, now);
        None
    }

    /// `finishShutdown`: save if asked (or if save points exist), then exit.
    pub(crate) fn finish_shutdown(&mut self, save: Option<bool>, now: u64) {
        let mut lagging = Vec::new();
        for c in self.clients.values() {
            let Some(r) = c.replica.as_ref().filter(|r| r.ack_off < self.repl.offset) else { continue };
            lagging.push(format!("Lagging replica {} reported offset {} behind master, lag={}, state={}.", Self::replica_name(c), self.repl.offset - r.ack_off, (now / 1000).saturating_sub(r.ack_time_ms / 1000), r.state.info_word()));
        }
        for l in lagging {
            self.log(now, Level::Warning, l);
        }
        // A loading server never saves: it would write half a dataset.
        let do_save = save.unwrap_or(self.config.has_save_points()) && self.loading.is_none();
        if do_save {
            self.log(now, Level::Notice, "Saving the final RDB snapshot before exiting.".into());
            self.disk = Some(self.rdb_snapshot(now));
            self.log(now, Level::Notice, "DB saved on disk".into());
        }
        self.log(now, Level::Notice, "Removing the pid file.".into());
        self.log(now, Level::Warning, "Redis is now ready to exit, bye bye...".into());
        self.exited = Some(do_save);
    }

    fn replconf(&mut self, client: &mut Client, argv: &[Bytes]) -> Reply {
        if argv.len().is_multiple_of(2) {
            return Reply::Error("ERR syntax error".into());
        }
        for pair in argv[1..].chunks(2) {
            let opt = pair[0].to_ascii_lowercase();
            match opt.as_slice() {
                b"listening-port" => match parse_i64(&pair[1]) {
                    Some(p) if (0..=65535).contains(&p) => client.listening_port = Some(p as u16),
                    _ => return Reply::Error(NOT_INT.into()),
                },
                b"ip-address" => {}
                b"capa" => {
                    let capa = pair[1].to_ascii_lowercase();
                    client.capa_eof |= capa == b"eof";
                    client.capa_psync2 |= capa == b"psync2";
                }
                b"ack" | b"getack" => return Reply::Nil,
                b"rdb-only" => {}
                _ => return Reply::Error(format!("ERR Unrecognized REPLCONF option: {}", text(&pair[0]))),
            }
        }
        Reply::ok()
    }

    fn exec(&mut self, client: &mut Client, now: u64, io: &mut dyn Transport, kind: ClientKind) -> Reply {
        let Some(queued) = client.multi.take() else { return Reply::Error("ERR EXEC without MULTI".into()) };
        if std::mem::take(&mut client.multi_failed) {
            return Reply::Error("EXECABORT Transaction discarded because of previous errors.".into());
        }
        self.in_exec = Some(Vec::new());
        let mut replies = Vec::new();
        for mut argv in queued {
            replies.push(self.process(client, &mut argv, now, io, kind).unwrap_or(Reply::Nil));
        }
        let ops = self.in_exec.take().unwrap_or_default();
        if !ops.is_empty() {
            self.propagate(&ops, &[]);
            client.woff = self.repl.offset;
        }
        Reply::Array(replies)
    }

    fn client_command(&mut self, client: &Client, argv: &[Bytes], now: u64, io: &mut dyn Transport) -> Reply {
        let sub = argv.get(1).map(|a| a.to_ascii_lowercase()).unwrap_or_default();
        match sub.as_slice() {
            b"id" => Reply::Integer(client.id as i64),
            b"kill" if argv.len() == 4 && argv[2].eq_ignore_ascii_case(b"type") => {
                let ty = argv[3].to_ascii_lowercase();
                let killed = match ty.as_slice() {
                    b"replica" | b"slave" => {
                        let conns = self.replica_conns();
                        for conn in &conns {
                            self.drop_replica(*conn, now, io);
                        }
                        conns.len()
                    }
                    b"master" => match self.upstream.as_ref().and_then(|u| u.master.as_ref()) {
                        Some(_) => {
                            self.upstream_lost(now, io);
                            1
                        }
                        None => 0,
                    },
                    b"normal" | b"pubsub" => 0,
                    _ => return Reply::Error(format!("ERR Unknown client type '{}'", text(&argv[3]))),
                };
                Reply::Integer(killed as i64)
            }
            b"list" => {
                let mut lines = Vec::new();
                for c in self.locals.values() {
                    lines.push(self.client_info(c, now, "N", 0));
                }
                for c in self.clients.values() {
                    let omem = c.replica.as_ref().map_or(0, |r| self.replica_omem(r));
                    let flags = if c.replica.is_some() { "S" } else { "N" };
                    lines.push(self.client_info(c, now, flags, omem));
                }
                Reply::Bulk((super::text::join(&lines, "\n") + "\n").into_bytes())
            }
            _ => Reply::Error(format!("ERR unknown subcommand '{}'. Try CLIENT HELP.", text(argv.get(1).map_or(&[][..], |a| a)))),
        }
    }

    /// Wakes blocked clients whose condition holds or whose time is up.
    pub(crate) fn check_blocked(&mut self, now: u64, _io: &mut dyn Transport) {
        // By position, nothing collected (this runs every event-loop turn):
        // answering never adds or removes a local client.
        // The usual client is not blocked: seen by position, nothing
        // looked up or cloned.
        let mut i = 0;
        while let Some((&id, client)) = self.locals.at(i) {
            i += 1;
            if client.blocked.is_none() {
                continue;
            }
            let Some(blocked) = client.blocked.clone() else { continue };
            let reply = match blocked {
                Blocked::Wait { numreplicas, offset, deadline_ms } => {
                    let acked = self.acked_replicas(offset);
                    (acked >= numreplicas || deadline_ms.is_some_and(|d| now >= d)).then_some(Reply::Integer(acked as i64))
                }
                Blocked::Sleep { until_ms } => (now >= until_ms).then(Reply::ok),
                Blocked::Shutdown { save, deadline_ms } => {
                    let caught_up = self.clients.values().filter_map(|c| c.replica.as_ref()).all(|r| r.ack_off >= self.repl.offset);
                    if caught_up || now >= deadline_ms {
                        self.finish_shutdown(save, now);
                        self.locals.get_mut(&id).expect("client").blocked = None;
                    }
                    None
                }
            };
            if let Some(r) = reply {
                self.locals.get_mut(&id).expect("client").blocked = None;
                self.ready_replies.push((id, r));
            }
        }
    }

    /// `disconnectAllBlockedClients`: a node turning into a replica fails
    /// blocked WAITs.
    fn unblock_all(&mut self, _now: u64) {
        let ids = self.locals.keys_where(&|c| matches!(c.blocked, Some(Blocked::Wait { .. })));
        for id in ids {
            self.locals.get_mut(&id).expect("client").blocked = None;
            self.ready_replies.push((id, Reply::Error("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)".into())));
        }
    }
}
