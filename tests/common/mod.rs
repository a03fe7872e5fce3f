//! Helpers for the engine's integration tests: drive a simulation with
//! scenario lines and read replies, INFO fields and log lines back.
#![allow(dead_code)]

use replscope::engine::scenario::{parse_line, Runner};

/// A simulated world driven by scenario lines.
pub struct World {
    /// The scenario runner (and through it, the simulator).
    pub runner: Runner,
}

impl World {
    /// A world with the given seed.
    pub fn new(seed: u64) -> Self {
        World { runner: Runner::new(seed) }
    }

    /// Runs scenario lines (one per line) and returns the output of the last one.
    pub fn run(&mut self, lines: &str) -> String {
        let mut last = Vec::new();
        for line in lines.lines() {
            if let Some(d) = parse_line(line).unwrap_or_else(|e| panic!("bad test line {line:?}: {e}")) {
                last = self.runner.run(&d);
            }
        }
        last.join("\n")
    }

    /// A field of `INFO replication` (or any section) on `port`.
    pub fn info(&mut self, port: u16, field: &str) -> String {
        let text = self.run(&format!("{port}> INFO"));
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .unwrap_or_else(|| panic!("no {field} in INFO of {port}:\n{text}"))
            .to_string()
    }

    /// A numeric INFO field.
    pub fn info_num(&mut self, port: u16, field: &str) -> i64 {
        self.info(port, field).parse().expect("numeric field")
    }

    /// Every log message of `port` so far (without pid/time prefix).
    pub fn log(&self, port: u16) -> Vec<String> {
        let node = self.runner.sim.node(port).expect("node running");
        node.log.since(0).map(|l| l.message.clone()).collect()
    }

    /// Whether some log line of `port` contains `needle`.
    pub fn logged(&self, port: u16, needle: &str) -> bool {
        self.log(port).iter().any(|l| l.contains(needle))
    }

    /// Number of log lines of `port` containing `needle`.
    pub fn count_logged(&self, port: u16, needle: &str) -> usize {
        self.log(port).iter().filter(|l| l.contains(needle)).count()
    }
}

/// A master on 6379 and replicas on the given ports, synced, with PINGs
/// pushed out of the way so offsets count only commands.
pub fn synced(replicas: &[u16], extra: &str) -> World {
    let mut w = World::new(1);
    w.run(&format!("node 6379 --repl-ping-replica-period 3600 {extra}"));
    for p in replicas {
        w.run(&format!("node {p} --replicaof 127.0.0.1 6379 --repl-ping-replica-period 3600"));
    }
    w.run("wait 7s");
    for p in replicas {
        assert_eq!(w.info(*p, "master_link_status"), "up", "replica {p} synced");
    }
    w
}
