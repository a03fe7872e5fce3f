//! A request's way through a node (`processCommand`, `call`): the local
//! clients' entry points, the state checks in Redis's order, running a data
//! command, and feeding what it changed to the replication stream
//! (`propagatePendingCommands`, `replicationFeedSlaves`).

use super::command::{self, Ctx, ExpireMode, Op};
use super::keyspace::Bytes;
use super::node::{Client, ClientId, ClientKind, Node, Transport};
use super::resp::{self, Reply};

impl Node {
    /// Opens a local client connection (a console); returns its id.
    pub fn open_local_client(&mut self, now: u64) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        let auth = self.config.password().is_empty();
        let cid = id as ClientId;
        self.locals.insert(cid, Box::new(Client::new(id, now, auth)));
        cid
    }

    /// Runs one command typed by local client `cid`. `None` means the client
    /// is blocked; its reply later appears in [`Node::ready_replies`].
    pub fn command(&mut self, cid: ClientId, mut argv: Vec<Bytes>, now: u64, io: &mut dyn Transport) -> Option<Reply> {
        self.command_with(cid, &mut argv, now, io)
    }

    /// [`Node::command`] for a caller that keeps its `argv` buffers for the
    /// next command (a load generator); the command may take them over.
    pub fn command_with(&mut self, cid: ClientId, argv: &mut Vec<Bytes>, now: u64, io: &mut dyn Transport) -> Option<Reply> {
        let mut client = self.take_local(cid, now);
        let reply = self.command_as(&mut client, argv, now, io);
        self.put_local(cid, client);
        reply
    }

    /// Takes local client `cid` out of `locals` (created if new) to run
    /// commands with [`Node::command_as`]; [`Node::put_local`] returns it.
    /// The client is out of the map while its commands run, as in
    /// [`Node::command_with`] (a boxed client: taking it out and back
    /// moves a pointer, not the client). A load generator takes its client
    /// once for a tick's batch of writes.
    pub fn take_local(&mut self, cid: ClientId, now: u64) -> Box<Client> {
        match self.locals.remove(&cid) {
            Some(client) => client,
            None => {
                let id = self.next_client_id;
                self.next_client_id += 1;
                Box::new(Client::new(id, now, self.config.password().is_empty()))
            }
        }
    }

    /// Puts back a client taken with [`Node::take_local`].
    pub fn put_local(&mut self, cid: ClientId, client: Box<Client>) {
        self.locals.insert(cid, client);
    }

    /// Runs one command from a local client taken out with [`Node::take_local`].
    pub fn command_as(&mut self, client: &mut Client, argv: &mut Vec<Bytes>, now: u64, io: &mut dyn Transport) -> Option<Reply> {
        self.clock_ms = now;
        self.process(client, argv, now, io, ClientKind::Local)
    }

    /// A write load's `SET key value` (`argv`) on a master, when nothing
    /// about it is out of the ordinary: exactly what [`Node::command_as`]
    /// does for it (the checks pass, the string is stored as `setKey`
    /// stores it, the command counted, fed to the replication stream as
    /// typed and its offset noted), without the general command path.
    /// False, with nothing done, when a check could go another way (a
    /// replica, a refusal, MULTI, an expired key): the caller then runs
    /// the command the general way. (4% of a fast-forward's instructions,
    /// measured: the general path's checks, dispatch and ops vector.)
    pub(crate) fn load_set(&mut self, client: &mut Client, argv: &[Bytes], now: u64) -> bool {
        let ordinary = argv.len() == 3
            && self.upstream.is_none()
            && self.loading.is_none()
            && self.in_exec.is_none()
            && client.authenticated
            && client.multi.is_none()
            && self.enough_good_replicas(now);
        if !ordinary {
            return false;
        }
        let (key, value) = (&argv[1], &argv[2]);
        let db = client.db;
        let entries = &mut self.keyspace.dbs[db].entries;
        let pos = entries.position(key);
        // An expired key is deleted first, and the DEL propagated.
        if let Some(p) = pos
            && entries.value_at(p).is_expired(now)
        {
            return false;
        }
        let Some(spec) = command::lookup_after(client.last_cmd, b"set") else { return false };
        self.clock_ms = now;
        self.stats.total_commands_processed += 1;
        client.last_cmd = Some(spec);
        command::set_key_at(&mut self.keyspace, db, pos, key, value);
        self.dirty += 1;
        self.note_expiry(argv);
        self.feed_replication(db as i64, argv);
        client.woff = self.repl.offset;
        true
    }

    /// The checks `processCommand` makes, then the command itself.
    pub(crate) fn process(
        &mut self,
        client: &mut Client,
        argv: &mut Vec<Bytes>,
        now: u64,
        io: &mut dyn Transport,
        kind: ClientKind,
    ) -> Option<Reply> {
        if argv.is_empty() {
            return None;
        }
        self.stats.total_commands_processed += 1;
        let Some(spec) = command::lookup_after(client.last_cmd, &argv[0]) else {
            client.multi_failed |= client.multi.is_some();
            return Some(Reply::Error(command::unknown_command_error(argv)));
        };
        client.last_cmd = Some(spec);
        if !command::check_arity(spec, argv.len()) {
            client.multi_failed |= client.multi.is_some();
            return Some(Reply::Error(command::arity_error(spec.name)));
        }
        if !client.authenticated && kind != ClientKind::Master && !spec.no_auth {
            return Some(Reply::Error("NOAUTH Authentication required.".into()));
        }
        if kind != ClientKind::Master
            && let Some(refusal) = self.refusal(client, spec, now) {
            // `rejectCommand` also fails a MULTI in progress.
            client.multi_failed |= client.multi.is_some();
            return Some(Reply::Error(refusal.into()));
        }
        if let Some(queue) = client.multi.as_mut().filter(|_| !spec.txn_control) {
            queue.push(std::mem::take(argv));
            return Some(Reply::Status("QUEUED".into()));
        }
        if spec.data() {
            return Some(self.run_data_command(client, spec, argv, now, kind));
        }
        self.admin_command(client, spec.name, std::mem::take(argv), now, io, kind)
    }

    /// The state checks of `processCommand`, in its order: why the server
    /// refuses `spec` from a client right now, if it does.
    fn refusal(&self, client: &Client, spec: &command::CommandSpec, now: u64) -> Option<&'static str> {
        if spec.write && self.upstream.is_none() && !self.enough_good_replicas(now) {
            return Some("NOREPLICAS Not enough good replicas to write.");
        }
        if spec.write && self.upstream.is_some() && self.config.replica_read_only {
            return Some("READONLY You can't write against a read only replica.");
        }
        if !spec.stale && !self.config.replica_serve_stale_data && self.upstream.as_ref().is_some_and(|u| !u.is_connected()) {
            return Some("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
        }
        // Container commands (CONFIG, CLIENT): every subcommand modelled
        // has the loading flag. EXEC takes its queued commands' flags.
        let allowed = |s: &command::CommandSpec| s.loading || s.container;
        let queued_ok = || client.multi.as_ref().is_none_or(|q| q.iter().all(|argv| command::lookup(&argv[0]).is_none_or(allowed)));
        if self.loading.is_some() && (!allowed(spec) || (spec.name == "exec" && !queued_ok())) {
            return Some("LOADING Redis is loading the dataset in memory");
        }
        None
    }

    /// Executes a data command and propagates what it changed.
    pub(crate) fn run_data_command(&mut self, client: &mut Client, spec: &'static command::CommandSpec, argv: &[Bytes], now: u64, kind: ClientKind) -> Reply {
        let expire = match (kind, self.upstream.is_some()) {
            (_, false) => ExpireMode::Master,
            (ClientKind::Master, true) => ExpireMode::ReplicaMasterLink,
            _ => ExpireMode::ReplicaClient,
        };
        // The ops vector is kept between commands: no allocation per command.
        let propagate = std::mem::take(&mut self.ops_buf);
        let mut ctx = Ctx { now_ms: now, db: client.db, keyspace: &mut self.keyspace, expire, propagate };
        let reply = command::execute_checked(&mut ctx, spec, argv);
        let mut ops = ctx.propagate;
        if self.keyspace.expired > 0 {
            self.stats.expired_keys += std::mem::take(&mut self.keyspace.expired);
        }
        self.dirty += ops.len() as u64;
        for op in &ops {
            self.note_expiry(op.args(argv));
        }
        if let Some(acc) = self.in_exec.as_mut() {
            acc.extend(ops.drain(..).map(|op| op.as_typed_by(argv)));
        } else if !ops.is_empty() {
            self.propagate(&ops, argv);
            client.woff = self.repl.offset;
        }
        // An op propagated as typed owns nothing (no argv buffer): it is
        // forgotten rather than dropped, which skips a chain of drop calls
        // for nothing on every write in wasm.
        while let Some(op) = ops.pop() {
            if op.argv.capacity() == 0 {
                std::mem::forget(op);
            }
        }
        super::sds::put_back(&mut self.ops_buf, ops);
        reply
    }

    /// Every TTL a command sets is propagated as an absolute `PXAT` or
    /// `PEXPIREAT` time (7.0's rewrites); remember the earliest for the cron.
    fn note_expiry(&mut self, argv: &[Bytes]) {
        // A plain loop: in wasm at opt-level "z" a closure is a call.
        let mut at = None;
        if super::master_link::is_command(argv, b"PEXPIREAT") {
            at = argv.get(2);
        } else {
            for i in 1..argv.len() {
                if super::master_link::is_word(&argv[i], b"PXAT") {
                    at = argv.get(i + 1);
                    break;
                }
            }
        }
        if let Some(at) = at {
            self.note_expiry_at(at);
        }
    }

    /// Remembers `at`, a propagated absolute expiry time in ms (as text),
    /// if it is one and the earliest yet, for the cron.
    pub(crate) fn note_expiry_at(&mut self, at: &[u8]) {
        if let Some(ms) = resp::parse_i64(at) {
            let ms = ms.max(0) as u64;
            self.next_expiry_ms = Some(self.next_expiry_ms.map_or(ms, |t| t.min(ms)));
        }
    }

    /// Feeds a command's effects to the replication stream, wrapping more
    /// than one in MULTI/EXEC as `propagatePendingCommands` does. `typed` is
    /// the command as the client sent it, for ops propagated as typed.
    pub(crate) fn propagate(&mut self, ops: &[Op], typed: &[Bytes]) {
        // A replica feeds nothing of its own: it proxies its master's stream
        // (`feed_replication` would drop each op; this skips the encoding).
        if self.upstream.is_some() {
            return;
        }
        if ops.len() > 1 {
            let db = ops[0].db as i64;
            self.feed_replication(db, &[b"MULTI".to_vec()]);
            for op in ops {
                self.feed_replication(op.db as i64, op.args(typed));
            }
            self.feed_replication(db, &[b"EXEC".to_vec()]);
        } else {
            for op in ops {
                self.feed_replication(op.db as i64, op.args(typed));
            }
        }
    }

    /// `replicationFeedSlaves`: appends a command to the replication buffer
    /// (backlog), preceded by a SELECT when the stream's db differs. A
    /// replica only proxies its master's stream, and without a backlog
    /// nothing is counted.
    pub fn feed_replication(&mut self, db: i64, argv: &[Bytes]) {
        if self.upstream.is_some() || self.backlog.is_none() {
            return;
        }
        // Encoded into a buffer kept between commands (no allocation).
        let mut bytes = std::mem::take(&mut self.feed_buf);
        bytes.clear();
        if self.slaveseldb != db {
            resp::encode_command_into(&mut bytes, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            self.slaveseldb = db;
        }
        resp::encode_command_into(&mut bytes, argv);
        self.append_to_backlog(&bytes);
        if bytes.capacity() <= 64 * 1024 {
            super::sds::put_back(&mut self.feed_buf, bytes);
        }
    }

    /// Adds raw stream bytes to the backlog and advances the offset; replicas
    /// read them from there.
    pub(crate) fn append_to_backlog(&mut self, bytes: &[u8]) {
        if let Some(b) = self.backlog.as_mut() {
            // The replicas' references matter only to the trims that follow
            // a new block: they are looked up only if the tail is full.
            let rest = b.fill_tail(bytes);
            if !rest.is_empty() {
                let min_ref = self.min_replica_ref();
                self.backlog.as_mut().expect("backlog").feed(rest, min_ref);
            }
            self.repl.offset += bytes.len() as u64;
        }
        self.check_output_limits_all();
    }
}
