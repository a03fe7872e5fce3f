//! The replica's live link to its master: applying the replication stream
//! (`processInputBuffer` for the master client), REPLCONF ACK, losing and
//! caching the master, and the replica half of `replicationCron`.

use super::command;
use super::handshake::ReplState;
use super::keyspace::Bytes;
use super::log::Level;
use super::node::{Client, ClientKind, Node, Transport};
use super::request;
use super::resp::{self, Reply};

/// Is `arg` the word `word`, in either case? Lengths first: the stream's
/// arguments are mostly not the words looked for. No closures: in wasm at
/// opt-level "z" each is a call, and this runs for every replicated write.
#[inline(always)]
pub(crate) fn is_word(arg: &[u8], word: &[u8]) -> bool {
    arg.len() == word.len() && arg.eq_ignore_ascii_case(word)
}

/// Is `argv` the command `name`, in either case?
#[inline(always)]
pub(crate) fn is_command(argv: &[Bytes], name: &[u8]) -> bool {
    !argv.is_empty() && is_word(&argv[0], name)
}

impl Node {
    /// `replicationSendAck`: `REPLCONF ACK <reploff>`.
    pub(crate) fn send_ack(&mut self) {
        let Some(up) = self.upstream.as_mut() else { return };
        let Some(off) = up.master.as_ref().map(|m| m.reploff) else { return };
        up.send(&[b"REPLCONF", b"ACK", off.to_string().as_bytes()]);
    }

    /// CONNECTED: apply what the master sent while the link was still being
    /// set up (or the RDB loading), kept in the upstream's buffer.
    pub(crate) fn stream_buffered(&mut self, now: u64, io: &mut dyn Transport) {
        let rest = std::mem::take(&mut self.up().inbuf);
        if !rest.is_empty() {
            self.stream_from_master(&rest, now, io);
        }
    }

    /// CONNECTED: apply the master's stream, advance `reploff`, and proxy
    /// the applied bytes to our own backlog and sub-replicas.
    pub(crate) fn stream_from_master(&mut self, bytes: &[u8], now: u64, io: &mut dyn Transport) {
        self.stats.net_repl_input_bytes += bytes.len() as u64;
        // Unparsed bytes from before, if any; usually none (the master
        // writes whole commands), and then `bytes` is read in place and
        // only an unfinished command's bytes are kept.
        let mut held = {
            let m = self.up().master.as_mut().expect("master link");
            m.read_reploff += bytes.len() as u64;
            m.last_interaction_ms = now;
            std::mem::take(&mut m.inbuf)
        };
        let direct = held.is_empty();
        if !direct {
            held.extend_from_slice(bytes);
        }
        let buf: &[u8] = if direct { bytes } else { &held };
        let mut pos = 0;
        let mut argv = std::mem::take(&mut self.argv_buf);
        // Applied commands whose bytes are not proxied yet: `unproxied..pos`.
        let mut unproxied = 0;
        loop {
            // A write load's `SET key value`, the stream's usual command,
            // is applied from the buffer as it lies (see `apply_plain_set`).
            if let Some((key, value, used)) = request::plain_set(&buf[pos..])
                && self.plain_set_applies(pos + used - unproxied)
            {
                self.apply_plain_set(key, value, used);
                pos += used;
                continue;
            }
            let used = match resp::parse_command_into(&buf[pos..], &mut argv) {
                Ok(Some(used)) => used,
                Ok(None) => break,
                Err(e) => {
                    self.proxy_stream(&buf[unproxied..pos]);
                    let msg = format!("Protocol error ({e}) from client: master link. Closing the link.");
                    self.log(now, Level::Warning, msg);
                    self.upstream_lost(now, io);
                    return;
                }
            };
            let consumed = &buf[pos..pos + used];
            pos += used;
            // A data command outside MULTI is proxied with the ones after
            // it, when that changes nothing (see `proxy_batches`).
            if let Some(spec) = self.outside_multi_data_command(&argv)
                && self.proxy_batches(pos - unproxied)
            {
                self.apply_data_from_master(spec, &mut argv, used, now, io);
                continue;
            }
            self.proxy_stream(&buf[unproxied..pos - used]);
            unproxied = pos;
            let m = self.up().master.as_mut().expect("master link");
            // Inside MULTI nothing is applied, counted or proxied until EXEC
            // (`commandProcessed` skips a master client flagged MULTI).
            if let Some(queue) = m.multi.as_mut() && !is_command(&argv, b"exec") {
                queue.push(std::mem::take(&mut argv));
                m.multi_bytes.extend_from_slice(consumed);
                continue;
            }
            if m.multi.is_none() && is_command(&argv, b"multi") {
                m.multi = Some(Vec::new());
                m.multi_bytes = consumed.to_vec();
                continue;
            }
            if m.multi_bytes.is_empty() {
                self.apply_from_master(&mut argv, used, now, io);
                self.proxy_stream(consumed);
            } else {
                let mut applied = std::mem::take(&mut m.multi_bytes);
                applied.extend_from_slice(consumed);
                self.apply_from_master(&mut argv, applied.len(), now, io);
                self.proxy_stream(&applied);
            }
            if self.upstream.as_ref().is_none_or(|u| u.master.is_none()) {
                return;
            }
        }
        self.proxy_stream(&buf[unproxied..pos]);
        super::sds::put_back(&mut self.argv_buf, argv);
        if direct {
            if pos < bytes.len() {
                held.extend_from_slice(&bytes[pos..]);
            }
        } else {
            held.drain(..pos);
        }
        super::sds::put_back(&mut self.up().master.as_mut().expect("master link").inbuf, held);
    }

    /// [`Node::apply_from_master`] for a data command outside MULTI
    /// (`spec`, found by [`Node::outside_multi_data_command`]): the
    /// master client runs it with `process`'s checks that can apply to
    /// it (arity; a master client is not refused, needs no AUTH and has no
    /// MULTI of its own here), without going through them one by one.
    /// Anything unusual takes the general way.
    fn apply_data_from_master(&mut self, spec: &'static command::CommandSpec, argv: &mut Vec<Bytes>, used: usize, now: u64, io: &mut dyn Transport) {
        let up = self.up();
        let mut client = match up.master_client.take() {
            Some(c) if c.multi.is_none() && command::check_arity(spec, argv.len()) => c,
            other => {
                up.master_client = other;
                return self.apply_from_master(argv, used, now, io);
            }
        };
        let m = up.master.as_mut().expect("master link");
        m.reploff += used as u64;
        client.db = m.db;
        client.last_cmd = Some(spec);
        self.stats.total_commands_processed += 1;
        let reply = self.run_data_command(&mut client, spec, argv, now, ClientKind::Master);
        // The usual reply (+OK, a static text) owns nothing: forgotten, not dropped.
        match reply {
            Reply::Status(std::borrow::Cow::Borrowed(_)) => std::mem::forget(reply),
            other => drop(other),
        }
        // A data command neither selects a db nor touches the link; the
        // slot was emptied above, so nothing is dropped.
        let old = self.up().master_client.replace(client);
        std::mem::forget(old);
    }

    /// Runs one command of the replication stream; replies are not sent,
    /// except the ACK asked for by `REPLCONF GETACK`.
    fn apply_from_master(&mut self, argv: &mut Vec<Bytes>, used: usize, now: u64, io: &mut dyn Transport) {
        let is_getack = is_command(argv, b"replconf") && argv.len() > 1 && is_word(&argv[1], b"getack");
        if is_getack {
            self.send_ack();
        } else if is_command(argv, b"exec") {
            let queued = self.up().master.as_mut().expect("link").multi.take().unwrap_or_default();
            for mut cmd in queued {
                self.run_as_master_client(&mut cmd, now, io);
            }
        } else {
            self.run_as_master_client(argv, now, io);
        }
        if let Some(m) = self.upstream.as_mut().and_then(|u| u.master.as_mut()) {
            m.reploff += used as u64;
        }
    }

    fn run_as_master_client(&mut self, argv: &mut Vec<Bytes>, now: u64, io: &mut dyn Transport) {
        let up = self.up();
        let db = up.master.as_ref().expect("link").db;
        let mut client = up.master_client.take().unwrap_or_else(|| Box::new(Client::master_link(db)));
        client.db = db;
        let reply = self.process(&mut client, argv, now, io, ClientKind::Master);
        // The usual reply (+OK, a static text) owns nothing: forgotten, not
        // dropped (in wasm its drop glue is three calls, on every command).
        match reply {
            Some(Reply::Status(std::borrow::Cow::Borrowed(_))) | None => std::mem::forget(reply),
            other => drop(other),
        }
        if let Some(up) = self.upstream.as_mut() {
            if let Some(m) = up.master.as_mut() {
                m.db = client.db;
            }
            // The slot was emptied above; the `None` replaced needs no drop.
            if let Some(old) = up.master_client.replace(client) {
                drop(old);
            }
        }
    }

    /// `replicationFeedStreamFromMasterStream`: a replica's backlog and its
    /// sub-replicas get exactly the bytes its master sent.
    fn proxy_stream(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.append_to_backlog(bytes);
        }
    }

    /// Would a `SET key value` from the stream go [`Node::apply_data_from_master`]'s
    /// way (outside MULTI, batched with the next `len` bytes, the master
    /// client in place), and no EXEC of this node's is collecting ops?
    #[inline(always)]
    fn plain_set_applies(&self, len: usize) -> bool {
        let Some(up) = self.upstream.as_ref() else { return false };
        let link_plain = match (&up.master, &up.master_client) {
            (Some(m), Some(c)) => m.multi.is_none() && m.multi_bytes.is_empty() && c.multi.is_none(),
            _ => false,
        };
        link_plain && self.in_exec.is_none() && self.proxy_batches(len)
    }

    /// `SET key value` from the master, outside MULTI: exactly what
    /// [`Node::apply_data_from_master`] and `run_data_command` do for it,
    /// without first copying the arguments out of the stream or going
    /// through the general command path: the key is stored as `setKey`
    /// stores it, the op counted, the client's last command and write
    /// offset noted. (About a fifth of a fast-forward's instructions.)
    fn apply_plain_set(&mut self, key: &[u8], value: &[u8], used: usize) {
        let up = self.upstream.as_mut().expect("replica");
        let m = up.master.as_mut().expect("master link");
        m.reploff += used as u64;
        let db = m.db;
        let client = up.master_client.as_mut().expect("master client");
        let spec = command::lookup_after(client.last_cmd, b"set").expect("SET is in the table");
        client.db = db;
        client.last_cmd = Some(spec);
        self.stats.total_commands_processed += 1;
        // The master link's lookups never expire a key (so add no op).
        command::set_key_from_master(&mut self.keyspace, db, key, value);
        // The SET itself, propagated as typed (a replica feeds nothing of
        // its own). `note_expiry` of `SET key value` finds a time only
        // when the key is spelled PXAT: the value is read as one.
        self.dirty += 1;
        if is_word(key, b"PXAT") {
            self.note_expiry_at(value);
        }
        let offset = self.repl.offset;
        if let Some(c) = self.upstream.as_mut().and_then(|u| u.master_client.as_mut()) {
            c.woff = offset;
        }
    }

    /// Is `argv` a data command (which neither touches the link nor reads
    /// the stream offset) arriving outside MULTI? Its spec if so. The
    /// master client's last command is tried before the table.
    fn outside_multi_data_command(&self, argv: &[Bytes]) -> Option<&'static command::CommandSpec> {
        let up = self.upstream.as_ref()?;
        let name = argv.first()?;
        if up.master.as_ref().is_none_or(|m| m.multi.is_some() || !m.multi_bytes.is_empty()) {
            return None;
        }
        let last = up.master_client.as_ref().and_then(|c| c.last_cmd);
        match command::lookup_after(last, name) {
            Some(spec) if spec.data() => Some(spec),
            _ => None,
        }
    }

    /// May the stream's next `len` bytes (applied commands) be proxied at
    /// once rather than command by command, as Redis does? Only if that
    /// changes nothing: they fit the backlog's last block (no block is
    /// added, so none is trimmed) and no client is there whose output
    /// limits the appends would check.
    fn proxy_batches(&self, len: usize) -> bool {
        self.clients.is_empty() && self.backlog.as_ref().is_some_and(|b| b.tail_room() >= len)
    }

    /// The master link dropped (`replicationHandleMasterDisconnection`).
    pub(crate) fn upstream_lost(&mut self, now: u64, io: &mut dyn Transport) {
        let up = self.up();
        if let Some(conn) = up.conn.take() {
            io.close(conn);
        }
        if let Some(mut master) = up.master.take() {
            master.discard_unapplied();
            up.state = ReplState::Connect;
            up.down_since_ms = now;
            self.log(now, Level::Warning, "Connection with master lost.".into());
            self.log(now, Level::Notice, "Caching the disconnected master state.".into());
            self.up().cached = Some(master);
            let (host, port) = (self.up().host.clone(), self.up().port);
            self.log(now, Level::Notice, format!("Reconnecting to MASTER {host}:{port}"));
            self.connect_with_master(now, io);
        } else {
            let state = up.state;
            up.state = ReplState::Connect;
            up.transfer = None;
            up.inbuf.clear();
            if state == ReplState::Transfer {
                self.log(now, Level::Warning, "I/O error trying to sync with MASTER: connection lost".into());
            } else {
                self.log(now, Level::Warning, "Error condition on socket for SYNC: Connection reset by peer".into());
            }
        }
    }

    /// The replica half of `replicationCron`: timeouts, reconnects, ACKs.
    pub(crate) fn replica_cron(&mut self, now: u64, io: &mut dyn Transport) {
        let timeout_s = self.config.repl_timeout.max(0) as u64;
        let now_s = now / 1000;
        let up = self.up();
        let (state, lastio_s) = (up.state, up.lastio_ms / 1000);
        if (state == ReplState::Connecting || state.in_handshake()) && now_s - lastio_s > timeout_s {
            self.log(now, Level::Warning, "Timeout connecting to the MASTER...".into());
            self.cancel_handshake(io);
        }
        if state == ReplState::Transfer && now_s - lastio_s > timeout_s {
            let msg = "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.";
            self.log(now, Level::Warning, msg.into());
            self.cancel_handshake(io);
        }
        let silent = self.up().master.as_ref().is_some_and(|m| now_s - m.last_interaction_ms / 1000 > timeout_s);
        if self.up().state == ReplState::Connected && silent {
            self.log(now, Level::Warning, "MASTER timeout: no data nor PING received...".into());
            self.upstream_lost(now, io);
        }
        if self.up().state == ReplState::Connect {
            let (host, port) = (self.up().host.clone(), self.up().port);
            self.log(now, Level::Notice, format!("Connecting to MASTER {host}:{port}"));
            self.connect_with_master(now, io);
        }
        if self.up().state == ReplState::Connected {
            self.send_ack();
        }
    }
}
