//! The reference runner: executes the directives of a scenario script
//! (parsed by `replscope::engine::scenario::parse`, exactly as the simulator
//! does) against real `redis-server` 7.0 processes, and writes a transcript in
//! the simulator's format (directive line, then its output lines).
//!
//! # Mapping
//! Scenario ports (7001, ...) are mapped to real ports `base + k` (k = order
//! of the first `node` directive, base = 21000 + 20 * scenario index), inside
//! `--replicaof` and any node option equal to a scenario port, and in the
//! port argument of `REPLICAOF`/`SLAVEOF`. Output is mapped back: in text
//! (`127.0.0.1:P`, `port=P`, `master_port:P`) and, for `ROLE`, in bulk
//! strings and integers equal to a real port.
//!
//! # Directives
//! - `node P opts`: `redis-server --port R --bind 127.0.0.1 --save "" --appendonly
//!   no --dir <tmp>/P --logfile <tmp>/P/redis.log --enable-debug-command local
//!   <opts>`; the scenario's own options come last, so they win.
//! - `P> cmd`: RESP over one `TcpStream` per node, kept open (SELECT persists),
//!   reopened after a restart. Replies are formatted with
//!   `scenario::format_reply`, as the simulator does.
//! - `kill A B`: which side is the replica is read from `ROLE`; the master
//!   closes that one link with `CLIENT KILL ADDR` (the replica's `laddr` of
//!   its master link). A bare kill lets the replica reconnect within about a
//!   millisecond, in both worlds. Scenarios that write while the replica is
//!   away say `cut A B` then `kill A B`, write, then `heal A B`: the replica is
//!   SIGSTOPped by the cut, so it only reconnects after those writes, as the
//!   simulator's held traffic makes it do.
//! - `cut A B` / `heal A B`: SIGSTOP / SIGCONT of the replica. Limits: a
//!   stopped process also stops its own timers (the replica's repl-timeout,
//!   its ACKs), and the kernel keeps buffering the master's bytes; only the
//!   master side behaves like a partition. Scenarios only cut links where the
//!   master side's behaviour is what is observed.
//! - `restart P save|nosave|empty`: `SHUTDOWN SAVE|NOSAVE` (`empty` also deletes
//!   `dump.rdb`), wait for the exit, start
//!   with the same options and directory. The log cursor moves to the end of
//!   the file, as the simulator starts a fresh log for the new process.
//! - `stop P`: SIGKILL. `start P`: start again (log cursor at the end).
//! - `log P`: the complete lines appended to the log file since last time.
//! - `load P RATE [SIZE]`: see `load.rs`.
//! - `link` and `seed` have no real counterpart and are ignored.
//!
//! # Timing (how the real side is made stable)
//! `wait D` first resumes processes paused by `kill`, then sleeps D of real
//! time, then *settles*: it polls `INFO replication` on fresh probe
//! connections (never the scenario's connection, so MULTI or SELECT are not
//! disturbed) every 100 ms, up to `SETTLE_SLACK` more, until every running,
//! non-stopped replica whose master is ours has `master_link_status:up`,
//! `master_sync_in_progress:0` and `slave_repl_offset` equal to the master's
//! `master_repl_offset`, and every master lists each such replica as
//! `state=online` with `offset=` equal to its own `master_repl_offset` (its
//! last ACK has arrived). This absorbs fork/transfer jitter (the diskless delay
//! is checked by a 10 Hz cron) and the 1 s ACK phase. Where a scenario looks
//! at an unsettled state on purpose (a sync still waiting, a link that must
//! stay down) it says `# conformance: no-settle` and waits are plain sleeps.
//! Every process is killed by PID when the runner is dropped, even on panic.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use replscope::engine::resp::Reply;
use replscope::engine::scenario::{format_reply, Directive};

use crate::load::Load;

/// Extra real time a `wait` may take to let replication settle.
pub const SETTLE_SLACK: Duration = Duration::from_secs(3);
const SIGCONT: i32 = 18;
const SIGSTOP: i32 = 19;

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: plain kill(2) on a PID we spawned and still own.
    unsafe {
        kill(child.id() as i32, sig);
    }
}

/// One RESP connection to a real server.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(port: u16) -> std::io::Result<Conn> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        s.set_nodelay(true)?;
        Ok(Conn { reader: BufReader::new(s) })
    }

    fn call(&mut self, argv: &[Vec<u8>]) -> std::io::Result<Reply> {
        let mut out = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.reader.get_mut().write_all(&out)?;
        self.read_reply()
    }

    fn line(&mut self) -> std::io::Result<String> {
        let mut buf = Vec::new();
        self.reader.read_until(b'\n', &mut buf)?;
        if buf.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        while buf.last().is_some_and(|&c| c == b'\n' || c == b'\r') {
            buf.pop();
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    fn read_reply(&mut self) -> std::io::Result<Reply> {
        let line = self.line()?;
        let (kind, rest) = line.split_at(1.min(line.len()));
        let num = || rest.parse::<i64>().map_err(|_| std::io::Error::other(format!("bad RESP line {line:?}")));
        Ok(match kind {
            "+" => Reply::Status(rest.to_string().into()),
            "-" => Reply::Error(rest.to_string()),
            ":" => Reply::Integer(num()?),
            "$" if num()? < 0 => Reply::Nil,
            "$" => {
                let mut b = vec![0; num()? as usize + 2];
                self.reader.read_exact(&mut b)?;
                b.truncate(b.len() - 2);
                Reply::Bulk(b)
            }
            "*" if num()? < 0 => Reply::NilArray,
            "*" => (0..num()?).map(|_| self.read_reply()).collect::<Result<_, _>>().map(Reply::Array)?,
            _ => return Err(std::io::Error::other(format!("bad RESP line {line:?}"))),
        })
    }
}

/// One real server (running or not) behind a scenario port.
struct RealNode {
    real: u16,
    args: Vec<String>,
    dir: PathBuf,
    child: Option<Child>,
    conn: Option<Conn>,
    log_pos: u64,
    stopped_by_signal: bool,
}

impl RealNode {
    fn log_path(&self) -> PathBuf {
        self.dir.join("redis.log")
    }
    fn log_len(&self) -> u64 {
        std::fs::metadata(self.log_path()).map(|m| m.len()).unwrap_or(0)
    }
}

/// Runs scenario directives against real redis-server processes.
pub struct Reference {
    root: PathBuf,
    map: BTreeMap<u16, u16>,
    nodes: BTreeMap<u16, RealNode>,
    /// Replicas SIGSTOPped by `kill`, resumed at the next occasion.
    paused: BTreeSet<u16>,
    /// Links cut by `cut A B`: (replica, master, the replica's laddr), read
    /// before the replica was stopped (a stopped process answers nothing).
    cut_links: BTreeMap<(u16, u16), (u16, u16, Option<String>)>,
    settle: bool,
    loads: BTreeMap<u16, Load>,
}

impl Drop for Reference {
    fn drop(&mut self) {
        for node in self.nodes.values_mut() {
            if let Some(mut c) = node.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        self.loads.clear();
    }
}

fn text(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

/// `field:value` from INFO text.
fn info_field<'a>(info: &'a str, name: &str) -> Option<&'a str> {
    info.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
}

impl Reference {
    /// A runner whose nodes live under `root` (wiped first) and use real ports
    /// `base`, `base+1`, ... in the order the script first names them.
    pub fn new(root: &Path, base: u16, directives: &[(usize, String, Directive)], settle: bool) -> Reference {
        let _ = std::fs::remove_dir_all(root);
        std::fs::create_dir_all(root).expect("create conformance temp dir");
        let mut map = BTreeMap::new();
        for (_, _, d) in directives {
            if let Directive::Node(p, _) = d {
                let next = base + map.len() as u16;
                map.entry(*p).or_insert(next);
            }
        }
        Reference { root: root.to_path_buf(), map, nodes: BTreeMap::new(), paused: BTreeSet::new(), cut_links: BTreeMap::new(), settle, loads: BTreeMap::new() }
    }

    fn to_real(&self, s: &str) -> String {
        s.parse::<u16>().ok().and_then(|p| self.map.get(&p)).map_or_else(|| s.to_string(), |r| r.to_string())
    }

    /// Maps real ports back to scenario ports in a text.
    fn unmap(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (sim, real) in &self.map {
            for ctx in ["127.0.0.1:", "port=", "master_port:"] {
                s = s.replace(&format!("{ctx}{real}"), &format!("{ctx}{sim}"));
            }
        }
        s
    }

    fn unmap_reply(&self, r: Reply, role: bool) -> Reply {
        let back = |n: i64| self.map.iter().find(|(_, r)| **r as i64 == n).map(|(s, _)| *s as i64);
        match r {
            Reply::Status(s) => Reply::Status(self.unmap(&s).into()),
            Reply::Error(s) => Reply::Error(self.unmap(&s)),
            Reply::Integer(n) if role => Reply::Integer(back(n).unwrap_or(n)),
            Reply::Bulk(b) => {
                let t = text(&b);
                match t.parse::<i64>().ok().and_then(back) {
                    Some(p) if role => Reply::Bulk(p.to_string().into_bytes()),
                    _ => Reply::Bulk(self.unmap(&t).into_bytes()),
                }
            }
            Reply::Array(items) => Reply::Array(items.into_iter().map(|i| self.unmap_reply(i, role)).collect()),
            other => other,
        }
    }

    fn spawn(&mut self, port: u16) -> Result<(), String> {
        let node = self.nodes.get_mut(&port).expect("known node");
        std::fs::create_dir_all(&node.dir).map_err(|e| e.to_string())?;
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &node.real.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        cmd.arg("--dir").arg(&node.dir).arg("--logfile").arg(node.log_path());
        cmd.args(["--enable-debug-command", "local"]).args(&node.args);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        node.log_pos = node.log_len();
        node.stopped_by_signal = false;
        let mut child = cmd.spawn().map_err(|e| format!("cannot start redis-server: {e}"))?;
        let start = Instant::now();
        loop {
            if TcpStream::connect(("127.0.0.1", node.real)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("redis-server on {} exited at start: {status}", node.real));
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("redis-server on {} did not listen within 10 s", node.real));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        node.child = Some(child);
        node.conn = None;
        Ok(())
    }

    fn running(&self, port: u16) -> bool {
        self.nodes.get(&port).is_some_and(|n| n.child.is_some())
    }

    fn resume(&mut self, port: u16) {
        if self.paused.remove(&port) {
            self.cont(port);
        }
    }

    fn resume_all(&mut self) {
        for p in std::mem::take(&mut self.paused) {
            self.cont(p);
        }
    }

    fn stop_signal(&mut self, port: u16) {
        if let Some(n) = self.nodes.get_mut(&port)
            && let Some(c) = &n.child {
            signal(c, SIGSTOP);
            n.stopped_by_signal = true;
        }
    }

    fn cont(&mut self, port: u16) {
        if let Some(n) = self.nodes.get_mut(&port)
            && let Some(c) = &n.child {
            signal(c, SIGCONT);
            n.stopped_by_signal = false;
        }
    }

    /// A one-off command on a fresh connection (does not touch the scenario's).
    fn probe(&self, port: u16, argv: &[&str]) -> Option<Reply> {
        let n = self.nodes.get(&port)?;
        if n.child.is_none() || n.stopped_by_signal {
            return None;
        }
        let mut c = Conn::open(n.real).ok()?;
        c.reader.get_ref().set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        let r = c.call(&argv).ok();
        let _ = c.reader.get_ref().shutdown(Shutdown::Both);
        r
    }

    fn probe_info(&self, port: u16) -> Option<String> {
        match self.probe(port, &["INFO", "replication"])? {
            Reply::Bulk(b) => Some(text(&b)),
            _ => None,
        }
    }

    fn sim_port_of_real(&self, real: u16) -> Option<u16> {
        self.map.iter().find(|(_, r)| **r == real).map(|(s, _)| *s)
    }

    /// Whether replication between our live nodes has caught up.
    fn settled(&self) -> bool {
        let infos: BTreeMap<u16, String> =
            self.nodes.keys().filter_map(|&p| self.probe_info(p).map(|i| (p, i))).collect();
        for info in infos.values() {
            let offset = info_field(info, "master_repl_offset").unwrap_or("?");
            if info_field(info, "role") == Some("slave") {
                let master = info_field(info, "master_port").and_then(|p| p.parse().ok()).and_then(|p| self.sim_port_of_real(p));
                let Some(minfo) = master.and_then(|m| infos.get(&m)) else { continue };
                if info_field(info, "master_link_status") != Some("up")
                    || info_field(info, "master_sync_in_progress") != Some("0")
                    || info_field(info, "slave_repl_offset") != info_field(minfo, "master_repl_offset")
                {
                    return false;
                }
            }
            for line in info.lines().filter(|l| l.starts_with("slave") && l.contains(":ip=")) {
                let field = |k: &str| line.split(',').find_map(|kv| kv.split(':').next_back()?.strip_prefix(k));
                let replica = field("port=").and_then(|p| p.parse().ok()).and_then(|p| self.sim_port_of_real(p));
                if replica.is_some_and(|r| infos.contains_key(&r))
                    && (field("state=") != Some("online") || field("offset=") != Some(offset))
                {
                    return false;
                }
            }
        }
        true
    }

    /// Which of two nodes is the replica of the other, by ROLE.
    fn replica_of_pair(&self, a: u16, b: u16) -> Option<(u16, u16)> {
        let master_of = |p: u16| match self.probe(p, &["ROLE"]) {
            Some(Reply::Array(items)) if items.first() == Some(&Reply::Bulk(b"slave".to_vec())) => match items.get(2) {
                Some(Reply::Integer(n)) => self.sim_port_of_real(*n as u16),
                _ => None,
            },
            _ => None,
        };
        if master_of(b) == Some(a) {
            Some((b, a))
        } else if master_of(a) == Some(b) {
            Some((a, b))
        } else {
            None
        }
    }

    fn command(&mut self, port: u16, argv: &[Vec<u8>]) -> Vec<String> {
        self.resume(port);
        let unreachable = format!("Could not connect to Redis at 127.0.0.1:{port}: Connection refused");
        if !self.running(port) {
            return vec![unreachable];
        }
        let name = argv[0].to_ascii_lowercase();
        let mut real_argv = argv.to_vec();
        if (name == b"replicaof" || name == b"slaveof") && argv.len() == 3 {
            real_argv[2] = self.to_real(&text(&argv[2])).into_bytes();
        }
        let node = self.nodes.get_mut(&port).expect("running node");
        if node.conn.is_none() {
            match Conn::open(node.real) {
                Ok(c) => node.conn = Some(c),
                Err(_) => return vec![unreachable],
            }
        }
        let reply = node.conn.as_mut().expect("open").call(&real_argv);
        match reply {
            Ok(r) => {
                let r = self.unmap_reply(r, name == b"role");
                vec![format_reply(argv, &r)]
            }
            Err(e) => {
                node.conn = None;
                vec![format!("(error) connection lost: {e}")]
            }
        }
    }

    fn log(&mut self, port: u16) -> Vec<String> {
        self.resume(port);
        if !self.running(port) {
            return vec![format!("(error) no node running on port {port}")];
        }
        let node = self.nodes.get_mut(&port).expect("node");
        let data = std::fs::read(node.log_path()).unwrap_or_default();
        let from = (node.log_pos as usize).min(data.len());
        let end = data[from..].iter().rposition(|&c| c == b'\n').map_or(from, |i| from + i + 1);
        node.log_pos = end as u64;
        let chunk = text(&data[from..end]);
        chunk.lines().map(|l| self.unmap(l)).collect()
    }

    fn shutdown(&mut self, port: u16, save: bool) -> Result<(), String> {
        self.resume(port);
        self.cont(port);
        let node = self.nodes.get_mut(&port).ok_or("unknown node")?;
        let Some(mut child) = node.child.take() else { return Err(format!("no node running on port {port}")) };
        node.conn = None;
        if let Ok(mut c) = Conn::open(node.real) {
            let verb = if save { "SAVE" } else { "NOSAVE" };
            let _ = c.call(&[b"SHUTDOWN".to_vec(), verb.as_bytes().to_vec()]);
        }
        let start = Instant::now();
        while child.try_wait().ok().flatten().is_none() {
            if start.elapsed() > Duration::from_secs(15) {
                let _ = child.kill();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    /// Runs one directive and returns its output lines.
    pub fn run(&mut self, d: &Directive) -> Vec<String> {
        let mut out = Vec::new();
        let err = |out: &mut Vec<String>, r: Result<(), String>| {
            if let Err(e) = r {
                out.push(format!("(error) {e}"));
            }
        };
        match d {
            Directive::Seed(_) | Directive::Link(..) => {}
            Directive::Node(port, args) => {
                let args = args.iter().map(|a| self.to_real(a)).collect();
                let real = self.map[port];
                let dir = self.root.join(port.to_string());
                let node = RealNode { real, args, dir, child: None, conn: None, log_pos: 0, stopped_by_signal: false };
                self.nodes.insert(*port, node);
                err(&mut out, self.spawn(*port));
            }
            Directive::Command(port, argv) => return self.command(*port, argv),
            Directive::Wait(ms) => {
                self.resume_all();
                std::thread::sleep(Duration::from_millis(*ms));
                let deadline = Instant::now() + SETTLE_SLACK;
                while self.settle && !self.settled() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            Directive::Kill(a, b) | Directive::Cut(a, b) => {
                self.resume(*a);
                self.resume(*b);
                let key = ((*a).min(*b), (*a).max(*b));
                let known = self.cut_links.get(&key).cloned();
                let link = known.or_else(|| {
                    let (replica, master) = self.replica_of_pair(*a, *b)?;
                    let laddr = match self.probe(replica, &["CLIENT", "LIST", "TYPE", "master"]) {
                        Some(Reply::Bulk(b)) => text(&b).split_whitespace().find_map(|w| w.strip_prefix("laddr=").map(String::from)),
                        _ => None,
                    };
                    Some((replica, master, laddr))
                });
                let Some((replica, master, laddr)) = link else {
                    return vec![format!("(reference) no replication link between {a} and {b}")];
                };
                if matches!(d, Directive::Cut(..)) {
                    self.cut_links.insert(key, (replica, master, laddr));
                    self.stop_signal(replica);
                } else {
                    match laddr {
                        Some(addr) => drop(self.probe(master, &["CLIENT", "KILL", "ADDR", &addr])),
                        None => out.push("(reference) replica has no master link to kill".into()),
                    }
                }
            }
            Directive::Heal(a, b) => {
                self.cut_links.remove(&((*a).min(*b), (*a).max(*b)));
                for p in [*a, *b] {
                    if self.nodes.get(&p).is_some_and(|n| n.stopped_by_signal) {
                        self.cont(p);
                    }
                }
            }
            Directive::Restart(port, save, wipe) => {
                let r = self.shutdown(*port, *save).and_then(|_| {
                    if *wipe {
                        let _ = std::fs::remove_file(self.nodes[port].dir.join("dump.rdb"));
                    }
                    self.spawn(*port)
                });
                err(&mut out, r);
            }
            Directive::Stop(port) => {
                self.resume(*port);
                match self.nodes.get_mut(port).and_then(|n| n.child.take()) {
                    Some(mut c) => {
                        let _ = c.kill();
                        let _ = c.wait();
                    }
                    None => out.push(format!("(error) Could not connect to Redis at 127.0.0.1:{port}: Connection refused")),
                }
            }
            Directive::Start(port) => {
                if self.nodes.contains_key(port) && !self.running(*port) {
                    err(&mut out, self.spawn(*port));
                } else {
                    out.push(format!("(error) no stopped node on port {port}"));
                }
            }
            Directive::Log(port) => return self.log(*port),
            Directive::Load(port, rate, size) => {
                self.loads.remove(port);
                if *rate > 0 && self.running(*port) {
                    self.loads.insert(*port, Load::start(self.map[port], *rate, *size));
                }
            }
        }
        out
    }

    /// Runs a whole parsed script and returns its transcript.
    pub fn run_script(&mut self, directives: &[(usize, String, Directive)]) -> String {
        let mut transcript = String::new();
        for (_, text, d) in directives {
            transcript.push_str(text);
            transcript.push('\n');
            for line in self.run(d) {
                transcript.push_str(&line);
                transcript.push('\n');
            }
        }
        self.resume_all();
        transcript
    }
}
