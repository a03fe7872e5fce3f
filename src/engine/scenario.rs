//! Scenario scripts: the one small text format that drives the CLI, the
//! tests, the lessons and share links. One directive a line, `#` comments:
//!
//! ```text
//! seed 7
//! node 6379
//! node 6380 --replicaof 127.0.0.1 6379 --repl-backlog-size 16kb
//! wait 6s
//! 6379> SET hello redis
//! 6380> GET hello
//! kill 6379 6380
//! cut 6379 6380
//! heal 6379 6380
//! link 6379 6380 latency 20ms bandwidth 1mb
//! restart 6380 save          (or nosave; or empty: nosave + delete dump.rdb)
//! stop 6380
//! start 6380
//! load 6379 100 32            (SET key:N with 32-byte values, 100 a second)
//! log 6380
//! ```
//!
//! Running a script prints a transcript: each directive as written, then its
//! output (replies as redis-cli prints them, log lines as Redis writes them).

use super::config::memtoull;
use super::net::Port;
use super::resp::{split_args, Reply};
use super::sim::Sim;
use super::vecmap::VecMap;

/// One parsed line of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive {
    /// `seed N`: the RNG seed (run IDs, replication IDs).
    Seed(u64),
    /// `node PORT [--option value ...]`: start a redis-server.
    Node(Port, Vec<String>),
    /// `PORT> COMMAND ARGS...`: a command on that node's client connection.
    Command(Port, Vec<Vec<u8>>),
    /// `wait DURATION`: advance virtual time.
    Wait(u64),
    /// `cut A B`: silent partition of the link.
    Cut(Port, Port),
    /// `heal A B`: the link works again.
    Heal(Port, Port),
    /// `kill A B`: reset the connections between A and B now.
    Kill(Port, Port),
    /// `link A B [latency D] [bandwidth SIZE]`: link timing (bandwidth per second).
    Link(Port, Port, Option<u64>, Option<u64>),
    /// `restart PORT save|nosave|empty`: SHUTDOWN SAVE/NOSAVE, then start
    /// again; `empty` also deletes its dump.rdb (a fresh data directory).
    Restart(Port, bool, bool),
    /// `stop PORT`: the process dies at once (no save).
    Stop(Port),
    /// `start PORT`: start a stopped node again with its old options.
    Start(Port),
    /// `log PORT`: that node's log lines since the last `log PORT`.
    Log(Port),
    /// `load PORT RATE [SIZE]`: write `SET key:N value` RATE times a second
    /// with SIZE-byte values (default 32); rate 0 stops it.
    Load(Port, u64, usize),
}

/// A malformed line: its number (1-based) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Parses a duration: `500ms`, `6s`, `2m`, `1h`.
pub fn parse_duration(s: &str) -> Option<u64> {
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000)
    } else {
        return None;
    };
    let n: u64 = num.parse().ok()?;
    n.checked_mul(mult).filter(|&ms| ms <= 30 * 86_400_000)
}

fn parse_port(s: &str) -> Result<Port, String> {
    super::text::uint::<Port>(s).filter(|&p| p > 0).ok_or_else(|| format!("'{s}' is not a port (1-65535)"))
}

fn two_ports(words: &[&str], what: &str) -> Result<(Port, Port), String> {
    if words.len() != 3 {
        return Err(format!("{what} needs two ports: {what} A B"));
    }
    let (a, b) = (parse_port(words[1])?, parse_port(words[2])?);
    if a == b {
        return Err(format!("{what} needs two different ports"));
    }
    Ok((a, b))
}

/// Parses one line; `Ok(None)` for blank lines and comments.
pub fn parse_line(line: &str) -> Result<Option<Directive>, String> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    if let Some((port, rest)) = trimmed.split_once('>')
        && !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) {
        let port = parse_port(port)?;
        let argv = split_args(rest.trim()).map_err(|e| format!("{e} (unbalanced quotes?)"))?;
        if argv.is_empty() {
            return Err("a command line needs a command after '>'".into());
        }
        return Ok(Some(Directive::Command(port, argv)));
    }
    let mut words = Vec::new();
    for w in trimmed.split_whitespace() {
        words.push(w);
    }
    let d = match words[0] {
        "seed" => match words.as_slice() {
            [_, n] => Directive::Seed(n.parse().map_err(|_| format!("seed needs a number, got '{n}'"))?),
            _ => return Err("seed needs one number: seed N".into()),
        },
        "node" => {
            let port = parse_port(words.get(1).ok_or("node needs a port: node PORT [--option value ...]")?)?;
            let rest = trimmed.splitn(3, char::is_whitespace).nth(2).unwrap_or("");
            let args = split_args(rest).map_err(|e| format!("{e} (unbalanced quotes?)"))?;
            let mut words = Vec::with_capacity(args.len());
            for a in &args {
                words.push(String::from_utf8_lossy(a).into_owned());
            }
            let args = words;
            if args.first().is_some_and(|a| !a.starts_with("--")) {
                return Err(format!("node options look like --name value, got '{}'", args[0]));
            }
            Directive::Node(port, args)
        }
        "wait" => match words.as_slice() {
            [_, d] => Directive::Wait(parse_duration(d).ok_or_else(|| format!("'{d}' is not a duration (like 500ms, 6s, 2m, 1h; at most 30 days)"))?),
            _ => return Err("wait needs one duration: wait 6s".into()),
        },
        "cut" => two_ports(&words, "cut").map(|(a, b)| Directive::Cut(a, b))?,
        "heal" => two_ports(&words, "heal").map(|(a, b)| Directive::Heal(a, b))?,
        "kill" => two_ports(&words, "kill").map(|(a, b)| Directive::Kill(a, b))?,
        "link" => {
            let (a, b) = two_ports(&words[..words.len().min(3)], "link")?;
            let (mut latency, mut bandwidth) = (None, None);
            let mut rest = words[3..].chunks(2);
            for pair in rest.by_ref() {
                match pair {
                    ["latency", d] => latency = Some(parse_duration(d).ok_or_else(|| format!("'{d}' is not a duration"))?),
                    ["bandwidth", s] => bandwidth = Some(memtoull(s).filter(|&b| b > 0).ok_or_else(|| format!("'{s}' is not a size like 1mb"))?),
                    _ => return Err("link options are: latency DURATION, bandwidth SIZE (per second)".into()),
                }
            }
            Directive::Link(a, b, latency, bandwidth)
        }
        "restart" => match words.as_slice() {
            [_, p, "save"] => Directive::Restart(parse_port(p)?, true, false),
            [_, p, "nosave"] => Directive::Restart(parse_port(p)?, false, false),
            [_, p, "empty"] => Directive::Restart(parse_port(p)?, false, true),
            _ => return Err("restart needs a port and save, nosave or empty: restart 6380 save".into()),
        },
        "stop" | "start" | "log" => match words.as_slice() {
            [w, p] => {
                let p = parse_port(p)?;
                match *w {
                    "stop" => Directive::Stop(p),
                    "start" => Directive::Start(p),
                    _ => Directive::Log(p),
                }
            }
            _ => return Err(format!("{} needs one port", words[0])),
        },
        "load" => match words.as_slice() {
            [_, p, rate] | [_, p, rate, _] => {
                let port = parse_port(p)?;
                let rate: u64 = rate.parse().ok().filter(|&r| r <= 100_000).ok_or_else(|| format!("'{rate}' is not a rate (writes per second, 0 to 100000)"))?;
                let size = match words.get(3) {
                    Some(s) => memtoull(s).filter(|&b| b <= 1 << 20).ok_or_else(|| format!("'{s}' is not a value size up to 1mb"))? as usize,
                    None => 32,
                };
                Directive::Load(port, rate, size)
            }
            _ => return Err("load needs a port and a rate: load 6379 100 [32]".into()),
        },
        other => return Err(format!("unknown directive '{other}' (expected seed, node, PORT>, wait, cut, heal, kill, link, restart, stop, start, load or log)")),
    };
    Ok(Some(d))
}

/// Parses a whole script: each directive with its line number and text.
pub fn parse(script: &str) -> Result<Vec<(usize, String, Directive)>, ScriptError> {
    let mut out = Vec::new();
    let mut seen_node = false;
    for (i, line) in script.lines().enumerate() {
        match parse_line(line) {
            Ok(None) => {}
            Ok(Some(d)) => {
                if matches!(d, Directive::Seed(_)) && seen_node {
                    return Err(ScriptError { line: i + 1, message: "seed must come before the first node".into() });
                }
                seen_node |= matches!(d, Directive::Node(..));
                out.push((i + 1, line.trim().to_string(), d));
            }
            Err(message) => return Err(ScriptError { line: i + 1, message }),
        }
    }
    Ok(out)
}

/// The client id a script's commands use on every node.
pub const SCRIPT_CLIENT: u32 = 1;

/// Formats a reply as redis-cli does in a terminal; INFO and CLIENT LIST
/// are printed raw, as redis-cli prints them.
pub fn format_reply(argv: &[Vec<u8>], reply: &Reply) -> String {
    let name = argv.first().map(|a| a.to_ascii_lowercase()).unwrap_or_default();
    let raw = name == b"info" || (name == b"client" && argv.get(1).is_some_and(|a| a.eq_ignore_ascii_case(b"list")));
    let text = match reply {
        Reply::Bulk(_) if raw => reply.to_cli_raw(),
        _ => reply.to_cli(),
    };
    crate::engine::text::replace(&text, "\r\n", "\n").trim_end_matches('\n').to_string()
}

/// Runs scripts against a simulator and writes the transcript.
pub struct Runner {
    /// The world the script drives.
    pub sim: Sim,
    log_cursor: VecMap<Port, u64>,
    started: bool,
    seed: u64,
}

impl Runner {
    /// A runner with seed 0 until the script says otherwise.
    pub fn new(seed: u64) -> Self {
        Runner { sim: Sim::new(seed), log_cursor: VecMap::new(), started: false, seed }
    }

    /// Runs one directive and returns its output lines.
    pub fn run(&mut self, d: &Directive) -> Vec<String> {
        let mut out = Vec::new();
        match d {
            Directive::Seed(s) => {
                if !self.started && *s != self.seed {
                    self.sim = Sim::new(*s);
                    self.seed = *s;
                }
            }
            Directive::Node(port, args) => {
                self.started = true;
                if let Err(e) = self.sim.start_node(*port, args) {
                    out.push(format!("(error) {e}"));
                }
                self.log_cursor.insert(*port, 0);
            }
            Directive::Command(port, argv) => match self.command(*port, argv) {
                Ok(Some(reply)) => out.push(format_reply(argv, &reply)),
                Ok(None) if !self.sim.nodes.contains_key(port) => {}
                Ok(None) => out.push("(error) still blocked after 1 hour of virtual time".into()),
                Err(e) => out.push(e.to_string()),
            },
            Directive::Wait(ms) => self.sim.advance(*ms),
            Directive::Cut(a, b) => self.sim.cut(*a, *b),
            Directive::Heal(a, b) => self.sim.heal(*a, *b),
            Directive::Kill(a, b) => self.sim.kill(*a, *b),
            Directive::Link(a, b, latency, bandwidth) => {
                let link = self.sim.net.link_mut(*a, *b);
                if let Some(l) = latency {
                    link.params.latency_ms = *l;
                }
                if let Some(bw) = bandwidth {
                    link.params.bandwidth = *bw;
                }
            }
            Directive::Restart(port, save, wipe) => {
                if let Err(e) = self.sim.restart(*port, *save, *wipe) {
                    out.push(format!("(error) {e}"));
                }
                self.log_cursor.insert(*port, 0);
            }
            Directive::Stop(port) => {
                if let Err(e) = self.sim.stop_node(*port) {
                    out.push(format!("(error) {e}"));
                }
            }
            Directive::Start(port) => {
                let args = self.sim.node_args(*port).map(|a| a.to_vec());
                match args {
                    Some(args) if self.sim.is_stopped(*port) => {
                        if let Err(e) = self.sim.start_node(*port, &args) {
                            out.push(format!("(error) {e}"));
                        }
                        self.log_cursor.insert(*port, 0);
                    }
                    _ => out.push(format!("(error) no stopped node on port {port}")),
                }
            }
            Directive::Load(port, rate, size) => self.sim.set_load(*port, *rate, *size),
            Directive::Log(port) => match self.sim.node(*port) {
                Some(node) => {
                    let from = self.log_cursor.get(port).copied().unwrap_or(0);
                    out.extend(node.log.since(from).map(|l| l.to_string()));
                    self.log_cursor.insert(*port, node.log.written());
                }
                None => out.push(format!("(error) no node running on port {port}")),
            },
        }
        out
    }
}

impl Runner {
    /// A command typed at redis-cli: a client round trip takes a moment,
    /// so the world runs 1 ms first (connections other nodes just closed
    /// are noticed, as they would be between two real commands).
    fn command(&mut self, port: Port, argv: &[Vec<u8>]) -> Result<Option<Reply>, super::sim::SimError> {
        self.sim.advance(CLIENT_STEP_MS);
        self.sim.command_blocking(port, SCRIPT_CLIENT, argv.to_vec())
    }
}

/// Virtual time that passes before each scripted command.
pub const CLIENT_STEP_MS: u64 = 1;

/// Runs a whole script and returns its transcript.
pub fn run_script(script: &str) -> Result<String, ScriptError> {
    run_script_on(&mut Runner::new(0), script)
}

/// Runs more of a script on a world that already exists (the benchmark
/// times a full sync apart from building its dataset).
pub fn run_script_on(runner: &mut Runner, script: &str) -> Result<String, ScriptError> {
    let directives = parse(script)?;
    let mut transcript = String::new();
    for (_, text, d) in &directives {
        transcript.push_str(text);
        transcript.push('\n');
        for line in runner.run(d) {
            transcript.push_str(&line);
            transcript.push('\n');
        }
    }
    Ok(transcript)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_lines_name_the_problem() {
        assert!(parse("node 6379\nwait 5 seconds\n").unwrap_err().to_string().starts_with("line 2:"));
        assert!(parse("bogus 1").unwrap_err().message.contains("unknown directive"));
        assert!(parse("6379> SET \"a").is_err());
        assert!(parse("node 6379\nseed 3").unwrap_err().message.contains("before the first node"));
        assert!(parse("cut 6379 6379").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("6s"), Some(6000));
        assert_eq!(parse_duration("2m"), Some(120_000));
        assert_eq!(parse_duration("6"), None);
    }
}
