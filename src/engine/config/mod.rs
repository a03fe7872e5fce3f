//! A node's configuration (`redis.conf` / `standardConfig` table in config.c
//! of Redis 7.0.15) for the replication-related directives, with CONFIG SET /
//! CONFIG GET semantics and redis-server command-line parsing.

/// `client-output-buffer-limit` for one client class: hard bytes, soft bytes,
/// soft seconds (`clientBufferLimitsConfig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObufLimit {
    /// Disconnect at once above this many bytes (0 = no limit).
    pub hard_bytes: u64,
    /// Disconnect when above this many bytes for `soft_seconds`.
    pub soft_bytes: u64,
    /// Seconds the soft limit may be exceeded.
    pub soft_seconds: i64,
}

/// `repl-diskless-load`: how a replica loads the RDB from its master.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisklessLoad {
    /// `disabled`: save to disk, then load (default).
    Disabled,
    /// `on-empty-db`: load from the socket only when the dataset is empty.
    OnEmptyDb,
    /// `swapdb`: load from the socket into a temporary db.
    Swapdb,
}

const DISKLESS_LOAD_NAMES: [&str; 3] = ["disabled", "on-empty-db", "swapdb"];

/// The node's configuration, one typed field per supported directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `port` (6379).
    pub port: u16,
    /// `replicaof` / `slaveof` host and port (none = master).
    pub replicaof: Option<(String, u16)>,
    /// `repl-backlog-size` in bytes (1mb).
    pub repl_backlog_size: i64,
    /// `repl-backlog-ttl` seconds (3600).
    pub repl_backlog_ttl: i64,
    /// `repl-timeout` seconds (60).
    pub repl_timeout: i64,
    /// `repl-ping-replica-period` / `repl-ping-slave-period` seconds (10).
    pub repl_ping_replica_period: i64,
    /// `repl-diskless-sync` (yes in 7.0).
    pub repl_diskless_sync: bool,
    /// `repl-diskless-sync-delay` seconds (5).
    pub repl_diskless_sync_delay: i64,
    /// `repl-diskless-sync-max-replicas` (0 = no limit).
    pub repl_diskless_sync_max_replicas: i64,
    /// `repl-diskless-load` (disabled).
    pub repl_diskless_load: DisklessLoad,
    /// `client-output-buffer-limit` for normal, replica and pubsub clients.
    pub client_output_buffer_limit: [ObufLimit; 3],
    /// `replica-read-only` / `slave-read-only` (yes).
    pub replica_read_only: bool,
    /// `requirepass` (none).
    pub requirepass: Option<String>,
    /// `masterauth` (none).
    pub masterauth: Option<String>,
    /// `masteruser` (none).
    pub masteruser: Option<String>,
    /// `min-replicas-to-write` / `min-slaves-to-write` (0).
    pub min_replicas_to_write: i64,
    /// `min-replicas-max-lag` / `min-slaves-max-lag` seconds (10).
    pub min_replicas_max_lag: i64,
    /// `replica-serve-stale-data` / `slave-serve-stale-data` (yes).
    pub replica_serve_stale_data: bool,
    /// `replica-announce-ip` / `slave-announce-ip` (none).
    pub replica_announce_ip: Option<String>,
    /// `replica-priority` / `slave-priority` (100).
    pub replica_priority: i64,
    /// `maxmemory` bytes (0 = no limit).
    pub maxmemory: u64,
    /// `save` points as (seconds, changes) (3600 1 300 100 60 10000).
    pub save: Vec<(i64, i64)>,
    /// `appendonly` (no).
    pub appendonly: bool,
    /// `dir` (the working directory; modelled as `/data`).
    pub dir: String,
    /// `dbfilename` (dump.rdb).
    pub dbfilename: String,
    /// `hz` (10; clamped to 1..=500).
    pub hz: i64,
    /// `repl-disable-tcp-nodelay` (no).
    pub repl_disable_tcp_nodelay: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            replicaof: None,
            repl_backlog_size: 1024 * 1024,
            repl_backlog_ttl: 3600,
            repl_timeout: 60,
            repl_ping_replica_period: 10,
            repl_diskless_sync: true,
            repl_diskless_sync_delay: 5,
            repl_diskless_sync_max_replicas: 0,
            repl_diskless_load: DisklessLoad::Disabled,
            client_output_buffer_limit: [
                ObufLimit { hard_bytes: 0, soft_bytes: 0, soft_seconds: 0 },
                ObufLimit { hard_bytes: 256 << 20, soft_bytes: 64 << 20, soft_seconds: 60 },
                ObufLimit { hard_bytes: 32 << 20, soft_bytes: 8 << 20, soft_seconds: 60 },
            ],
            replica_read_only: true,
            requirepass: None,
            masterauth: None,
            masteruser: None,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            replica_serve_stale_data: true,
            replica_announce_ip: None,
            replica_priority: 100,
            maxmemory: 0,
            save: vec![(3600, 1), (300, 100), (60, 10000)],
            appendonly: false,
            dir: "/data".to_string(),
            dbfilename: "dump.rdb".to_string(),
            hz: 10,
            repl_disable_tcp_nodelay: false,
        }
    }
}

mod table;
use table::{all_names, lookup, Field, Kind, Spec, IMMUTABLE, PROTECTED};
#[cfg(test)]
use table::SPECS;

/// `memtoull`: digits with an optional case-insensitive unit
/// (b, k=1000, kb=1024, m, mb, g, gb). `None` on a bad unit or sign.
pub fn memtoull(s: &str) -> Option<u64> {
    if s.starts_with('-') {
        return None;
    }
    let digits_end = s.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
    let mul: u64 = match s[digits_end..].to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // strtoull saturates on overflow; the product wraps like C.
    let val = s[..digits_end].bytes().fold(0u64, |acc, b| acc.saturating_mul(10).saturating_add((b - b'0') as u64));
    let val = if s[..digits_end].len() > 20 { u64::MAX } else { val };
    Some(val.wrapping_mul(mul))
}

/// C `strtoll(s, &end, 10)` requiring `*end == '\0'`.
fn strtoll_full(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, d) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if d.is_empty() {
        return if s.is_empty() { Some(0) } else { None };
    }
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = d.bytes().fold(0i128, |a, b| (a * 10 + (b - b'0') as i128).min(i64::MAX as i128 + 1));
    let v = if neg { -v } else { v };
    Some(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

/// `string2ll` on text.
fn parse_int(s: &str) -> Option<i64> {
    crate::engine::rdb::string2ll(s.as_bytes())
}

/// `sdssplitargs`: splits a config line into arguments, honouring "..." and
/// '...' quoting (the same splitter redis-cli uses). `None` if unbalanced.
pub fn split_args(line: &str) -> Option<Vec<String>> {
    let args = crate::engine::resp::split_args(line).ok()?;
    let mut words = Vec::with_capacity(args.len());
    for a in &args {
        words.push(String::from_utf8_lossy(a).into_owned());
    }
    Some(words)
}

/// `stringmatchlen(pattern, string, nocase=1)`: KEYS' glob matcher,
/// ignoring case as CONFIG GET does.
pub fn glob_match(pattern: &str, s: &str) -> bool {
    crate::engine::command::glob_match(pattern.to_ascii_lowercase().as_bytes(), s.to_ascii_lowercase().as_bytes())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

impl Config {
    /// The value CONFIG GET prints for field `f`.
    fn value_of(&self, f: Field) -> String {
        if let Some(v) = self.int_ref(f) {
            return v.to_string();
        }
        if let Some(b) = self.bool_ref(f) {
            return yes_no(*b);
        }
        if let Some(s) = self.str_ref(f) {
            return s.clone().unwrap_or_default();
        }
        match f {
            Field::Port => self.port.to_string(),
            Field::Replicaof => self.replicaof.as_ref().map(|(h, p)| format!("{h} {p}")).unwrap_or_default(),
            Field::ReplBacklogSize => self.repl_backlog_size.to_string(),
            Field::ReplDisklessLoad => DISKLESS_LOAD_NAMES[self.repl_diskless_load as usize].to_string(),
            Field::ClientOutputBufferLimit => {
                let mut out = String::new();
                for (i, l) in self.client_output_buffer_limit.iter().enumerate() {
                    let class = ["normal", "slave", "pubsub"][i];
                    let sep = if i > 0 { " " } else { "" };
                    out.push_str(&format!("{sep}{class} {} {} {}", l.hard_bytes, l.soft_bytes, l.soft_seconds));
                }
                out
            }
            Field::Maxmemory => self.maxmemory.to_string(),
            Field::Save => {
                let mut out = String::new();
                for (i, (s, c)) in self.save.iter().enumerate() {
                    let sep = if i > 0 { " " } else { "" };
                    out.push_str(&format!("{sep}{s} {c}"));
                }
                out
            }
            Field::Dir => self.dir.clone(),
            Field::Dbfilename => self.dbfilename.clone(),
            _ => String::new(),
        }
    }

    /// The `interface.set` of each config: parses `args`, stores the value,
    /// runs the apply step (clamping). Errors are config.c's `errstr`.
    fn apply(&mut self, f: Field, kind: Kind, args: &[String]) -> Result<(), String> {
        let a0 = args.first().map(String::as_str).unwrap_or("");
        let int = |min: i64, max: i64| -> Result<i64, String> {
            let v = parse_int(a0).ok_or("argument couldn't be parsed into an integer")?;
            if v < min || v > max {
                return Err(format!("argument must be between {min} and {max} inclusive"));
            }
            Ok(v)
        };
        let boolean = || match a0.to_ascii_lowercase().as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err("argument must be 'yes' or 'no'".to_string()),
        };
        let string = || if a0.is_empty() { None } else { Some(a0.to_string()) };
        match (f, kind) {
            (Field::Port, Kind::Int(lo, hi)) => self.port = int(lo, hi)? as u16,
            (Field::Hz, Kind::Int(lo, hi)) => self.hz = int(lo, hi)?.clamp(1, 500),
            (_, Kind::Int(lo, hi)) => {
                let v = int(lo, hi)?;
                *self.int_mut(f).ok_or("unknown config")? = v;
            }
            (_, Kind::Bool) => {
                let v = boolean()?;
                *self.bool_mut(f).ok_or("unknown config")? = v;
            }
            (_, Kind::Str) => *self.str_mut(f).ok_or("unknown config")? = string(),
            (Field::ReplBacklogSize, Kind::MemSigned(lo, hi)) => {
                let v = memtoull(a0).ok_or("argument must be a memory value")? as i64;
                if v < lo || v > hi {
                    return Err(format!("argument must be between {lo} and {hi} inclusive"));
                }
                // updateReplBacklogSize -> resizeReplicationBacklog clamps to 16kb.
                self.repl_backlog_size = v.max(16 * 1024);
            }
            (Field::Maxmemory, _) => self.maxmemory = memtoull(a0).ok_or("argument must be a memory value")?,
            (Field::ReplDisklessLoad, _) => {
                let i = DISKLESS_LOAD_NAMES
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(a0))
                    .ok_or_else(|| format!("argument(s) must be one of the following: {}", crate::engine::text::join(&DISKLESS_LOAD_NAMES, ", ")))?;
                self.repl_diskless_load = [DisklessLoad::Disabled, DisklessLoad::OnEmptyDb, DisklessLoad::Swapdb][i];
            }
            (Field::Dbfilename, _) => {
                if a0.contains('/') || a0.contains('\\') {
                    return Err("dbfilename can't be a path, just a filename".into());
                }
                self.dbfilename = a0.to_string();
            }
            (Field::Dir, _) => {
                if args.len() != 1 {
                    return Err("wrong number of arguments".into());
                }
                self.dir = a0.to_string();
            }
            (Field::Replicaof, _) => {
                if args.len() != 2 {
                    return Err("wrong number of arguments".into());
                }
                if args[0].eq_ignore_ascii_case("no") && args[1].eq_ignore_ascii_case("one") {
                    self.replicaof = None;
                    return Ok(());
                }
                self.replicaof = None;
                let port = strtoll_full(&args[1]).filter(|p| (0..=65535).contains(p)).ok_or("Invalid master port")?;
                self.replicaof = Some((args[0].clone(), port as u16));
            }
            (Field::Save, _) => {
                let args: &[String] = if args.len() == 1 && args[0].is_empty() { &[] } else { args };
                if args.len() % 2 == 1 {
                    return Err("Invalid save parameters".into());
                }
                let mut points = Vec::new();
                for pair in args.chunks(2) {
                    match (strtoll_full(&pair[0]), strtoll_full(&pair[1])) {
                        (Some(s), Some(c)) if s >= 1 && c >= 0 => points.push((s, c)),
                        _ => return Err("Invalid save parameters".into()),
                    }
                }
                self.save = points;
            }
            (Field::ClientOutputBufferLimit, _) => {
                if !args.len().is_multiple_of(4) {
                    return Err("Wrong number of arguments in buffer limit configuration.".into());
                }
                let mut limits = self.client_output_buffer_limit;
                for c in args.chunks(4) {
                    let class = match c[0].to_ascii_lowercase().as_str() {
                        "normal" => 0,
                        "slave" | "replica" => 1,
                        "pubsub" => 2,
                        _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
                    };
                    match (memtoull(&c[1]), memtoull(&c[2]), strtoll_full(&c[3])) {
                        (Some(h), Some(s), Some(secs)) if secs >= 0 => {
                            limits[class] = ObufLimit { hard_bytes: h, soft_bytes: s, soft_seconds: secs }
                        }
                        _ => return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()),
                    }
                }
                self.client_output_buffer_limit = limits;
            }
            _ => return Err("unknown config".into()),
        }
        Ok(())
    }

    /// `CONFIG SET name value`; the error is the full reply text (`ERR ...`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.set_pairs(&[(name, value)])
    }

    /// `CONFIG SET name value [name value ...]`: all or nothing, with 7.0's
    /// error precedence (unknown name, then immutable/protected/duplicate,
    /// then the first value that fails to parse).
    pub fn set_pairs(&mut self, pairs: &[(&str, &str)]) -> Result<(), String> {
        let mut found: Vec<(&str, &Spec, &str)> = Vec::new();
        let mut err: Option<(String, &str)> = None;
        for (name, value) in pairs {
            let Some((listed, spec)) = lookup(name) else {
                if err.is_none() {
                    return Err(format!("ERR Unknown option or number of arguments for CONFIG SET - '{name}'"));
                }
                continue;
            };
            if err.is_some() {
                continue;
            }
            if spec.4 & IMMUTABLE != 0 {
                err = Some((name.to_string(), "can't set immutable config"));
            } else if spec.4 & PROTECTED != 0 {
                err = Some((name.to_string(), "can't set protected config"));
            } else if found.iter().any(|(l, ..)| *l == listed) {
                err = Some((name.to_string(), "duplicate parameter"));
            }
            found.push((listed, spec, *value));
        }
        if let Some((arg, e)) = err {
            return Err(format!("ERR CONFIG SET failed (possibly related to argument '{arg}') - {e}"));
        }
        let backup = self.clone();
        for (listed, spec, value) in found {
            let args: Vec<String> = if matches!(spec.3, Kind::Multi) {
                let mut words = Vec::new();
                if !value.is_empty() {
                    for w in value.split(' ') {
                        words.push(w.to_string());
                    }
                }
                words
            } else {
                vec![value.to_string()]
            };
            if let Err(e) = self.apply(spec.2, spec.3, &args) {
                *self = backup;
                return Err(format!("ERR CONFIG SET failed (possibly related to argument '{listed}') - {e}"));
            }
        }
        Ok(())
    }

    /// `CONFIG GET pattern`: (name, value) pairs. A pattern without `*?[`
    /// is an exact, case-insensitive lookup echoing the name as given; a glob
    /// matches canonical names and aliases (e.g. `*slave*`).
    pub fn get(&self, pattern: &str) -> Vec<(String, String)> {
        if !pattern.contains(['*', '?', '[']) {
            return lookup(pattern).map(|(_, spec)| vec![(pattern.to_string(), self.value_of(spec.2))]).unwrap_or_default();
        }
        let mut out = Vec::new();
        for &(listed, spec) in &all_names() {
            if glob_match(pattern, listed) {
                out.push((listed.to_string(), self.value_of(spec.2)));
            }
        }
        out
    }

    /// redis-server command-line options (`--port 6380 --replicaof 127.0.0.1 6379`,
    /// `--replicaof "127.0.0.1 6379"`, `--save ""`), turned into config lines
    /// as `main()` does and applied in order. Errors are the FATAL CONFIG FILE
    /// ERROR text Redis prints before exiting.
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut lines: Vec<(Vec<String>, String)> = Vec::new();
        let mut handled_last = true;
        for (j, a) in args.iter().enumerate() {
            if a == "-" && (j == 0 || j == args.len() - 1) {
                continue; // config from stdin: nothing to read here
            }
            if handled_last && a.starts_with("--") {
                let toks = split_args(&a[2..]).unwrap_or_else(|| vec![a[2..].to_string()]);
                let single = toks.len() == 1;
                lines.push((toks, format!("{} ", &a[2..])));
                handled_last = !single;
                if single && a.eq_ignore_ascii_case("--save") && (j + 1 == args.len() || args[j + 1].starts_with("--")) {
                    let l = lines.last_mut().expect("line");
                    l.0.push(String::new());
                    l.1.push_str("\"\"");
                    handled_last = true;
                }
            } else {
                if lines.is_empty() {
                    return Err(fatal(1, a, "Bad directive or wrong number of arguments"));
                }
                let l = lines.last_mut().expect("line");
                l.0.push(a.clone());
                l.1.push_str(&super::resp::repr(a.as_bytes()));
                l.1.push(' ');
                handled_last = true;
            }
        }
        let mut cfg = Config::default();
        for (i, (argv, text)) in lines.iter().enumerate() {
            let text = text.trim();
            let Some((_, &(_, _, field, kind, _))) = argv.first().and_then(|n| lookup(n)) else {
                return Err(fatal(i + 1, text, "Bad directive or wrong number of arguments"));
            };
            let multi = matches!(kind, Kind::Multi);
            if !multi && argv.len() != 2 {
                return Err(fatal(i + 1, text, "wrong number of arguments"));
            }
            let vals: Vec<String> = if multi && argv.len() == 2 && !argv[1].is_empty() {
                split_args(&argv[1]).unwrap_or_default()
            } else {
                argv[1..].to_vec()
            };
            let res = match field {
                // At startup the value is stored as given (no resize clamp).
                Field::ReplBacklogSize => cfg.apply(field, kind, &vals).map(|_| {
                    cfg.repl_backlog_size = memtoull(&vals[0]).unwrap_or(0) as i64;
                }),
                _ => cfg.apply(field, kind, &vals),
            };
            res.map_err(|e| fatal(i + 1, text, &e))?;
        }
        Ok(cfg)
    }
}

fn fatal(line: usize, text: &str, err: &str) -> String {
    format!("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{err}")
}

#[cfg(test)]
mod tests;

/// Convenience views the node uses.
impl Config {
    /// `requirepass`, empty when unset.
    pub fn password(&self) -> &str {
        self.requirepass.as_deref().unwrap_or("")
    }

    /// `masterauth`, empty when unset.
    pub fn master_password(&self) -> &str {
        self.masterauth.as_deref().unwrap_or("")
    }

    /// `masteruser`, empty when unset.
    pub fn master_user(&self) -> &str {
        self.masteruser.as_deref().unwrap_or("")
    }

    /// `replica-announce-ip`, empty when unset.
    pub fn announce_ip(&self) -> &str {
        self.replica_announce_ip.as_deref().unwrap_or("")
    }

    /// The replica class of `client-output-buffer-limit`: (hard, soft, soft seconds).
    pub fn replica_output_limits(&self) -> (u64, u64, u64) {
        let l = &self.client_output_buffer_limit[1];
        (l.hard_bytes, l.soft_bytes, l.soft_seconds.max(0) as u64)
    }

    /// Whether any `save` point is configured (SHUTDOWN saves by default then).
    pub fn has_save_points(&self) -> bool {
        !self.save.is_empty()
    }
}
