//! `DEBUG` (`debug.c`): the subcommands a teacher uses to make things
//! happen on purpose: SLEEP (block the whole server), SET-ACTIVE-EXPIRE,
//! POPULATE (a big dataset at once) and RELOAD (save, flush and load the
//! RDB again in the same process, so the run ID and replication ID stay).

use super::keyspace::Bytes;
use super::log::Level;
use super::node::{Blocked, Client, Node};
use super::resp::{parse_i64, Reply};

impl Node {
    /// `DEBUG SLEEP | SET-ACTIVE-EXPIRE | POPULATE | RELOAD`.
    pub(crate) fn debug(&mut self, client: &mut Client, argv: &[Bytes], now: u64) -> Option<Reply> {
        let sub = argv.get(1).map(|a| a.to_ascii_lowercase()).unwrap_or_default();
        match sub.as_slice() {
            b"sleep" if argv.len() == 3 => {
                let secs = crate::engine::command::parse_f64(&super::admin::text(&argv[2])).unwrap_or(0.0);
                let ms = (secs.max(0.0) * 1000.0) as u64;
                self.busy_until_ms = now + ms;
                client.blocked = Some(Blocked::Sleep { until_ms: now + ms });
                None
            }
            b"set-active-expire" if argv.len() == 3 => {
                self.active_expire_enabled = argv[2] != b"0";
                Some(Reply::ok())
            }
            b"populate" if (3..=5).contains(&argv.len()) => Some(self.debug_populate(client.db, &argv[2..])),
            b"reload" => self.debug_reload(&argv[2..], now),
            _ => {
                let what = argv.get(1).map(|a| super::admin::text(a)).unwrap_or_default();
                Some(Reply::Error(format!("ERR unknown subcommand or wrong number of arguments for '{what}'. Try DEBUG HELP.")))
            }
        }
    }

    /// `DEBUG POPULATE count [prefix] [size]`: creates `prefix:N` keys holding
    /// `value:N` (or `size` bytes starting with it, zero padded), skipping keys
    /// that exist. Like Redis, it writes straight into the database: nothing is
    /// propagated to replicas.
    fn debug_populate(&mut self, db: usize, args: &[Bytes]) -> Reply {
        let count = match parse_i64(&args[0]) {
            Some(n) if n >= 0 => n as u64,
            _ => return Reply::Error("ERR count is out of range".into()),
        };
        let prefix = args.get(1).cloned().unwrap_or_else(|| b"key".to_vec());
        let size = match args.get(2).map(|a| parse_i64(a)) {
            None => 0,
            Some(Some(n)) if n >= 0 => n as usize,
            Some(_) => return Reply::Error(super::admin::NOT_INT.into()),
        };
        let entries = &mut self.keyspace.dbs[db].entries;
        entries.reserve(usize::try_from(count).unwrap_or(usize::MAX).min(1 << 20));
        for i in 0..count {
            let mut key = Vec::with_capacity(prefix.len() + 21);
            key.extend_from_slice(&prefix);
            key.push(b':');
            crate::engine::resp::push_u64(&mut key, i);
            if entries.contains_key(&key) {
                continue;
            }
            // "value:<i>", cut or zero-padded to `size` when one is given.
            let mut value = Vec::with_capacity(size.max(26));
            value.extend_from_slice(b"value:");
            crate::engine::resp::push_u64(&mut value, i);
            if size > 0 {
                value.resize(size, 0);
            }
            entries.insert(key, super::keyspace::Entry::new(super::keyspace::Value::Str(value)));
        }
        self.dirty += count;
        Reply::ok()
    }

    /// `DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]`: save dump.rdb (unless
    /// NOSAVE), empty the dataset (unless NOFLUSH) and load the file again,
    /// all while the server is blocked. Nothing is propagated and replicas
    /// stay connected: the replication ID and offset do not change. Keys
    /// that expired are dropped on a master. Without MERGE, a key the file
    /// holds that is still in memory (NOFLUSH) is fatal, as in Redis: the
    /// server exits and the client gets no reply (`None`).
    fn debug_reload(&mut self, opts: &[Bytes], now: u64) -> Option<Reply> {
        let (mut merge, mut flush, mut save) = (false, true, true);
        for opt in opts {
            match opt.to_ascii_lowercase().as_slice() {
                b"merge" => merge = true,
                b"noflush" => flush = false,
                b"nosave" => save = false,
                _ => return Some(Reply::Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.".into())),
            }
        }
        if save {
            self.save_now(now);
        }
        if flush {
            self.keyspace = Default::default();
        }
        let loaded = match self.disk.as_deref().map(super::rdb::decode) {
            Some(Ok(l)) => l,
            _ => return Some(Reply::Error("ERR Error trying to load the RDB dump".into())),
        };
        self.log_rdb_header(now);
        let master = self.upstream.is_none();
        let (mut keys, mut expired) = (0u64, 0u64);
        for (db, loaded_db) in loaded.keyspace.dbs.into_iter().enumerate() {
            for (key, entry) in loaded_db.entries.into_entries() {
                if master && entry.is_expired(now) {
                    expired += 1;
                    continue;
                }
                if !merge && self.keyspace.dbs[db].entries.contains_key(&key) {
                    let k = String::from_utf8_lossy(&key).into_owned();
                    self.log(now, Level::Warning, format!("RDB has duplicated key '{k}' in DB {db}"));
                    self.log(now, Level::Warning, "Guru Meditation: Duplicated key found in RDB file #rdb.c:3184".into());
                    self.exited = Some(false);
                    return None;
                }
                self.keyspace.dbs[db].entries.insert(key, entry);
                keys += 1;
            }
        }
        self.log_rdb_done(keys, expired, now);
        self.next_expiry_ms = Some(0);
        self.log(now, Level::Warning, "DB reloaded by DEBUG RELOAD".into());
        Some(Reply::ok())
    }
}
