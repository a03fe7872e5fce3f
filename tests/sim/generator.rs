//! The scenario generator: from a seed, a random but valid script for one
//! master and 1–6 replicas (some chained) with writes of every data command
//! across databases, TTLs, transactions, cuts, kills, heals, restarts,
//! promotions, master changes, CONFIG SET and waits.
//!
//! The generator keeps the intended topology so it never builds a cycle of
//! replicas on purpose; a script shrunk by deleting lines may still contain
//! one, and the checker exempts such nodes from convergence.

use std::collections::{BTreeMap, BTreeSet};

use replscope::engine::clock::START_MS;
use replscope::engine::command::COMMANDS;
use replscope::engine::rng::Rng;

/// The first node's port; replicas take the next ports.
pub const MASTER: u16 = 6379;

/// A generated scenario: its seed and body lines (node lines included). The
/// settle tail is derived from the body, so a shrunk body keeps a valid tail.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The seed the script starts with.
    pub seed: u64,
    /// Directive lines, without the `seed` line and the settle tail.
    pub lines: Vec<String>,
}

impl Scenario {
    /// The complete script: seed, body, settle tail.
    pub fn script(&self) -> String {
        let mut s = format!("seed {}\n", self.seed);
        for l in self.lines.iter().chain(settle(&self.lines).iter()) {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

/// Ports that the body's `node` lines start.
pub fn ports(lines: &[String]) -> Vec<u16> {
    let set: BTreeSet<u16> = lines.iter().filter_map(|l| l.strip_prefix("node ")?.split_whitespace().next()?.parse().ok()).collect();
    set.into_iter().collect()
}

/// The end of every script: restart stopped nodes, stop loads, heal and
/// speed up every link, sane limits, then time enough to converge.
pub fn settle(lines: &[String]) -> Vec<String> {
    let ports = ports(lines);
    let mut out = vec!["# settle: heal everything, sane limits, wait".to_string()];
    for &p in &ports {
        out.push(format!("start {p}"));
        out.push(format!("load {p} 0"));
    }
    for (i, &a) in ports.iter().enumerate() {
        for &b in &ports[i + 1..] {
            out.push(format!("heal {a} {b}"));
            out.push(format!("link {a} {b} latency 1ms bandwidth 100mb"));
        }
    }
    for &p in &ports {
        out.push(format!("{p}> CONFIG SET repl-timeout 60 client-output-buffer-limit \"replica 256mb 64mb 60\""));
    }
    out.push("wait 3m".into());
    out
}

/// Generator state: the intended topology and the script so far.
struct Gen {
    rng: Rng,
    lines: Vec<String>,
    /// Intended master of each node (`None`: a master).
    master_of: BTreeMap<u16, Option<u16>>,
    /// The master each node's command line names (what a restart brings back).
    args_master: BTreeMap<u16, Option<u16>>,
    stopped: BTreeSet<u16>,
    cuts: BTreeSet<(u16, u16)>,
    loads: BTreeSet<u16>,
    /// Steps left before running loads stop (they make runs slow).
    load_steps: u64,
    /// Virtual time elapsed so far, roughly (for absolute TTLs).
    elapsed_ms: u64,
}

/// A random scenario for `seed`.
pub fn generate(seed: u64) -> Scenario {
    let mut g = Gen {
        rng: Rng::new(seed ^ 0x5eed_5eed),
        lines: Vec::new(),
        master_of: BTreeMap::new(),
        args_master: BTreeMap::new(),
        stopped: BTreeSet::new(),
        cuts: BTreeSet::new(),
        loads: BTreeSet::new(),
        load_steps: 0,
        elapsed_ms: 0,
    };
    g.nodes();
    let steps = g.range(15, 60);
    for _ in 0..steps {
        g.step();
    }
    Scenario { seed, lines: g.lines }
}

impl Gen {
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.range(lo, hi)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.range(0, 100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.range(0, items.len() as u64) as usize]
    }

    fn push(&mut self, line: String) {
        self.elapsed_ms += 1;
        self.lines.push(line);
    }

    fn wait(&mut self, ms: u64) {
        self.elapsed_ms += ms;
        self.lines.push(format!("wait {ms}ms"));
    }

    fn running(&self) -> Vec<u16> {
        self.master_of.keys().copied().filter(|p| !self.stopped.contains(p)).collect()
    }

    fn replicas(&self) -> Vec<u16> {
        self.running().into_iter().filter(|p| self.master_of[p].is_some()).collect()
    }

    /// Whether `b` is `a` or replicates (directly or not) from `a`.
    fn descends(&self, b: u16, a: u16) -> bool {
        let mut cur = Some(b);
        for _ in 0..=self.master_of.len() {
            match cur {
                Some(p) if p == a => return true,
                Some(p) => cur = self.master_of.get(&p).copied().flatten(),
                None => return false,
            }
        }
        false
    }

    fn node_options(&mut self) -> String {
        let mut o = String::new();
        if self.chance(30) {
            o += &format!(" --repl-backlog-size {}kb", self.pick(&[16, 32, 64, 256, 1024]));
        }
        if self.chance(25) {
            o += " --repl-diskless-sync no";
        }
        if self.chance(40) {
            o += &format!(" --repl-diskless-sync-delay {}", self.range(0, 4));
        }
        if self.chance(15) {
            o += &format!(" --repl-ping-replica-period {}", self.range(1, 11));
        }
        o
    }

    fn nodes(&mut self) {
        let opts = self.node_options();
        self.push(format!("node {MASTER}{opts}"));
        self.master_of.insert(MASTER, None);
        self.args_master.insert(MASTER, None);
        let replicas = self.range(1, 7) as u16;
        for i in 1..=replicas {
            let port = MASTER + i;
            let master = if i > 1 && self.chance(35) { MASTER + self.range(1, u64::from(i)) as u16 } else { MASTER };
            let opts = self.node_options();
            self.push(format!("node {port} --replicaof 127.0.0.1 {master}{opts}"));
            self.master_of.insert(port, Some(master));
            self.args_master.insert(port, Some(master));
        }
        if self.chance(50) {
            for _ in 0..self.range(1, 20) {
                self.write();
            }
        }
        let w = self.range(0, 8000);
        self.wait(w);
    }

    fn step(&mut self) {
        if !self.loads.is_empty() {
            self.load_steps = self.load_steps.saturating_sub(1);
            if self.load_steps == 0 {
                for port in std::mem::take(&mut self.loads) {
                    self.push(format!("load {port} 0"));
                }
            }
        }
        match self.range(0, 100) {
            0..=44 => self.write(),
            45..=49 => self.transaction(),
            50..=61 => {
                let long = self.loads.is_empty() && self.chance(10);
                let ms = if long { self.range(10_000, 75_000) } else { self.range(1, 3000) };
                self.wait(ms);
            }
            62..=67 => self.cut_or_heal(),
            68..=71 => self.kill(),
            72..=75 => self.restart(),
            76..=77 => self.stop_or_start(),
            78..=80 => self.promote(),
            81..=83 => self.change_master(),
            84..=89 => self.config_set(),
            90..=91 => self.load(),
            92..=93 => self.link(),
            94..=95 => {
                let port = self.pick(&self.running());
                let db = self.range(0, 4);
                self.push(format!("{port}> SELECT {db}"));
            }
            _ => {
                let port = self.pick(&self.running());
                let cmd = self.pick(&["INFO replication", "ROLE", "DBSIZE", "WAIT 1 100"]);
                self.push(format!("{port}> {cmd}"));
            }
        }
    }

    /// The node a write goes to: usually a master, sometimes a replica
    /// (which refuses it with READONLY).
    fn write_target(&mut self) -> u16 {
        let running = self.running();
        let masters: Vec<u16> = running.iter().copied().filter(|p| self.master_of[p].is_none()).collect();
        if masters.is_empty() || self.chance(8) { self.pick(&running) } else { self.pick(&masters) }
    }

    fn write(&mut self) {
        let port = self.write_target();
        let cmd = self.data_command();
        self.push(format!("{port}> {cmd}"));
    }

    fn transaction(&mut self) {
        let port = self.write_target();
        self.push(format!("{port}> MULTI"));
        for _ in 0..self.range(1, 5) {
            let cmd = if self.chance(10) {
                // Big enough to be torn across socket writes.
                format!("SET {} {}", self.key(), "t".repeat(self.range(20_000, 60_000) as usize))
            } else {
                self.data_command()
            };
            self.push(format!("{port}> {cmd}"));
        }
        let end = if self.chance(10) { "DISCARD" } else { "EXEC" };
        self.push(format!("{port}> {end}"));
    }

    fn key(&mut self) -> String {
        format!("k{}", self.range(0, 12))
    }

    fn value(&mut self) -> String {
        match self.range(0, 10) {
            0..=2 => self.range(0, 1000).to_string(),
            3 => format!("{}.{}", self.range(0, 100), self.range(0, 100)),
            4 => format!("\"v {}\"", self.range(0, 100)),
            5 => "x".repeat(self.range(100, 3000) as usize),
            _ => format!("v{}", self.range(0, 100_000)),
        }
    }

    fn some<T>(&mut self, lo: u64, hi: u64, mut f: impl FnMut(&mut Self) -> T) -> Vec<T> {
        (0..self.range(lo, hi)).map(|_| f(self)).collect()
    }

    fn ttl_secs(&mut self) -> i64 {
        match self.range(0, 10) {
            0 => -(self.range(0, 5) as i64),
            1 => self.range(100, 100_000) as i64,
            _ => self.range(1, 40) as i64,
        }
    }

    fn abs_ms(&mut self) -> u64 {
        let now = START_MS + self.elapsed_ms;
        if self.chance(15) { now.saturating_sub(self.range(0, 60_000)) } else { now + self.range(0, 60_000) }
    }

    fn expire_flag(&mut self) -> &'static str {
        self.pick(&["", "", "", " NX", " XX", " GT", " LT"])
    }

    /// One data command with random arguments; every command of the table
    /// with `data: true` has a form here.
    fn data_command(&mut self) -> String {
        let data: Vec<&str> = COMMANDS.iter().filter(|c| c.data()).map(|c| c.name).collect();
        let mut name = self.pick(&data);
        while matches!(name, "flushall" | "flushdb") && self.chance(90) {
            name = self.pick(&data);
        }
        let k = self.key();
        let args = match name {
            "set" => {
                let v = self.value();
                let opt = match self.range(0, 9) {
                    0 => format!(" EX {}", self.ttl_secs()),
                    1 => format!(" PX {}", self.range(1, 40_000)),
                    2 => format!(" EXAT {}", self.abs_ms() / 1000),
                    3 => format!(" PXAT {}", self.abs_ms()),
                    4 => " KEEPTTL".into(),
                    5 => self.pick(&[" NX", " XX", " GET", " NX GET"]).into(),
                    _ => String::new(),
                };
                format!("{k} {v}{opt}")
            }
            "get" | "getdel" | "type" | "incr" | "decr" | "strlen" | "ttl" | "pttl" | "persist" | "llen" | "hgetall" | "hlen" | "smembers" | "scard" => k,
            "getset" | "append" | "sadd" | "srem" | "sismember" | "lpush" | "rpush" => {
                let n = if matches!(name, "getset" | "append" | "sismember") { 1 } else { self.range(1, 4) };
                let vals: Vec<String> = (0..n).map(|_| self.value()).collect();
                format!("{k} {}", vals.join(" "))
            }
            "mset" => self.some(1, 4, |g| format!("{} {}", g.key(), g.value())).join(" "),
            "mget" | "del" | "exists" => self.some(1, 4, Self::key).join(" "),
            "keys" => self.pick(&["*", "k1*", "k?", "[a-k]*"]).into(),
            "dbsize" => String::new(),
            "flushdb" | "flushall" => self.pick(&["", "", " ASYNC", " SYNC"]).trim().into(),
            "incrby" | "decrby" => format!("{k} {}", self.range(0, 2000) as i64 - 1000),
            "incrbyfloat" => format!("{k} {}.{}", self.range(0, 20) as i64 - 10, self.range(0, 1000)),
            "expire" | "pexpire" => {
                let t = self.ttl_secs() * if name == "pexpire" { 1000 } else { 1 };
                format!("{k} {t}{}", self.expire_flag())
            }
            "expireat" => format!("{k} {}{}", self.abs_ms() / 1000, self.expire_flag()),
            "pexpireat" => format!("{k} {}{}", self.abs_ms(), self.expire_flag()),
            "lpop" | "rpop" => if self.chance(50) { k } else { format!("{k} {}", self.range(0, 4)) },
            "lrange" => format!("{k} {} {}", self.range(0, 3) as i64 - 1, self.range(0, 6) as i64 - 2),
            "hset" => format!("{k} {}", self.some(1, 4, |g| format!("f{} {}", g.range(0, 6), g.value())).join(" ")),
            "hget" => format!("{k} f{}", self.range(0, 6)),
            "hdel" => format!("{k} {}", self.some(1, 3, |g| format!("f{}", g.range(0, 6))).join(" ")),
            other => panic!("the simulation generator has no form for data command '{other}'"),
        };
        format!("{} {args}", name.to_ascii_uppercase()).trim_end().to_string()
    }

    /// A replica and its intended master, if any replica runs.
    fn some_link(&mut self) -> Option<(u16, u16)> {
        let replicas = self.replicas();
        if replicas.is_empty() {
            return None;
        }
        let r = self.pick(&replicas);
        Some((self.master_of[&r].expect("replica"), r))
    }

    fn cut_or_heal(&mut self) {
        if !self.cuts.is_empty() && self.chance(50) {
            let cuts: Vec<(u16, u16)> = self.cuts.iter().copied().collect();
            let (a, b) = self.pick(&cuts);
            self.cuts.remove(&(a, b));
            self.push(format!("heal {a} {b}"));
        } else if let Some((m, r)) = self.some_link() {
            self.cuts.insert((m, r));
            self.push(format!("cut {m} {r}"));
        }
    }

    fn kill(&mut self) {
        if let Some((m, r)) = self.some_link() {
            self.push(format!("kill {m} {r}"));
        }
    }

    /// After a node came back with its command line, point it where the
    /// topology says (a promoted node's command line may name its old master).
    fn restore_role(&mut self, port: u16) {
        let want = self.master_of[&port];
        if want != self.args_master[&port] {
            match want {
                Some(m) => self.push(format!("{port}> REPLICAOF 127.0.0.1 {m}")),
                None => self.push(format!("{port}> REPLICAOF NO ONE")),
            }
        }
    }

    fn restart(&mut self) {
        let port = self.pick(&self.running());
        let how = self.pick(&["save", "nosave", "empty"]);
        self.push(format!("restart {port} {how}"));
        self.restore_role(port);
    }

    fn stop_or_start(&mut self) {
        if let Some(&port) = self.stopped.iter().next() {
            self.stopped.remove(&port);
            self.push(format!("start {port}"));
            self.restore_role(port);
        } else if self.running().len() > 1 {
            let port = self.pick(&self.running());
            self.stopped.insert(port);
            self.push(format!("stop {port}"));
        }
    }

    /// Failover: a replica becomes a master; its old master and siblings follow it.
    fn promote(&mut self) {
        let Some((old, r)) = self.some_link() else { return };
        self.push(format!("{r}> REPLICAOF NO ONE"));
        self.master_of.insert(r, None);
        if self.chance(80) {
            let siblings: Vec<u16> = self.running().into_iter().filter(|p| self.master_of[p] == Some(old)).collect();
            for s in siblings {
                self.master_of.insert(s, Some(r));
                self.push(format!("{s}> REPLICAOF 127.0.0.1 {r}"));
            }
            if !self.stopped.contains(&old) {
                self.master_of.insert(old, Some(r));
                self.push(format!("{old}> REPLICAOF 127.0.0.1 {r}"));
            }
        }
    }

    /// A node follows another node (never one of its own replicas), or stops replicating.
    fn change_master(&mut self) {
        let running = self.running();
        let a = self.pick(&running);
        let candidates: Vec<u16> = self.master_of.keys().copied().filter(|&b| !self.descends(b, a)).collect();
        if candidates.is_empty() || self.chance(15) {
            self.master_of.insert(a, None);
            self.push(format!("{a}> REPLICAOF NO ONE"));
        } else {
            let b = self.pick(&candidates);
            self.master_of.insert(a, Some(b));
            self.push(format!("{a}> REPLICAOF 127.0.0.1 {b}"));
        }
    }

    fn config_set(&mut self) {
        let port = self.pick(&self.running());
        let setting = match self.range(0, 5) {
            0 => format!("repl-backlog-size {}kb", self.pick(&[1, 16, 32, 64, 128, 1024])),
            1 => format!("repl-timeout {}", self.pick(&[3, 5, 10, 30, 60])),
            2 => format!("repl-diskless-sync {}", self.pick(&["yes", "no"])),
            3 => format!("repl-diskless-sync-delay {}", self.range(0, 6)),
            _ => {
                let hard = self.pick(&["0", "32kb", "256kb", "1mb", "256mb"]);
                let soft = self.pick(&["0", "16kb", "64kb", "64mb"]);
                format!("client-output-buffer-limit \"replica {hard} {soft} {}\"", self.range(0, 30))
            }
        };
        self.push(format!("{port}> CONFIG SET {setting}"));
    }

    fn load(&mut self) {
        let stop = self.chance(60);
        if let Some(&port) = self.loads.iter().next().filter(|_| stop) {
            self.loads.remove(&port);
            self.push(format!("load {port} 0"));
        } else {
            let port = self.write_target();
            self.loads.insert(port);
            self.load_steps = self.range(2, 8);
            let (rate, size) = (self.range(10, 400), self.range(8, 1000));
            self.push(format!("load {port} {rate} {size}"));
        }
    }

    fn link(&mut self) {
        let Some((m, r)) = self.some_link() else { return };
        let (latency, bw) = (self.range(1, 200), self.pick(&["20kb", "200kb", "1mb", "100mb"]));
        self.push(format!("link {m} {r} latency {latency}ms bandwidth {bw}"));
    }
}
