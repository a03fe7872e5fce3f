//! The same seed and script always give the same transcript, byte for byte.

use replscope::engine::rng::Rng;
use replscope::engine::scenario::run_script;

/// A random but valid scenario: a master, replicas (some chained), writes of
/// several kinds, kills, cuts, heals, restarts and waits.
fn random_script(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = format!("seed {seed}\nnode 6379 --repl-diskless-sync-delay {}\n", rng.range(0, 3));
    let replicas = rng.range(1, 4) as u16;
    for i in 1..=replicas {
        let master = if i > 1 && rng.range(0, 3) == 0 { 6379 + i - 1 } else { 6379 };
        s += &format!("node {} --replicaof 127.0.0.1 {master} --repl-backlog-size {}kb\n", 6379 + i, 16 * rng.range(1, 4));
    }
    for _ in 0..30 {
        let r = 6379 + rng.range(1, u64::from(replicas) + 1) as u16;
        match rng.range(0, 12) {
            0..=4 => s += &format!("6379> SET k{} {}\n", rng.range(0, 20), "v".repeat(rng.range(1, 400) as usize)),
            5 => s += &format!("6379> INCR n{}\n", rng.range(0, 3)),
            6 => s += &format!("6379> EXPIRE k{} {}\n", rng.range(0, 20), rng.range(1, 5)),
            7 => s += &format!("kill 6379 {r}\n"),
            8 => s += &format!("cut 6379 {r}\nwait {}ms\nheal 6379 {r}\n", rng.range(100, 3000)),
            9 => s += &format!("restart {r} {}\n", ["save", "nosave", "empty"][rng.range(0, 3) as usize]),
            _ => s += &format!("wait {}ms\n", rng.range(10, 4000)),
        }
    }
    s += "wait 30s\n";
    for p in 6379..=6379 + replicas {
        s += &format!("{p}> INFO replication\n{p}> DBSIZE\nlog {p}\n");
    }
    s
}

#[test]
fn one_hundred_seeds_each_run_twice_give_identical_transcripts() {
    for seed in 0..100 {
        let script = random_script(seed);
        let a = run_script(&script).expect("valid script");
        let b = run_script(&script).expect("valid script");
        assert!(a == b, "seed {seed} diverged:\n{script}");
        assert!(a.contains("role:master"), "seed {seed} produced a transcript");
    }
}

#[test]
fn different_seeds_give_different_replication_ids() {
    let a = run_script("seed 1\nnode 6379\n6379> INFO replication").unwrap();
    let b = run_script("seed 2\nnode 6379\n6379> INFO replication").unwrap();
    assert_ne!(a, b);
}

#[test]
fn after_healing_and_waiting_every_replica_equals_its_master() {
    use replscope::engine::scenario::{parse, Runner};
    let mut failures = Vec::new();
    for seed in 0..100 {
        let script = random_script(seed);
        let mut runner = Runner::new(seed);
        for (_, _, d) in parse(&script).unwrap() {
            runner.run(&d);
        }
        let sim = &runner.sim;
        let master = sim.node(6379).expect("master up");
        for (port, node) in sim.nodes.iter().filter(|(p, _)| **p != 6379) {
            let up = node.upstream.as_ref().expect("replica");
            let same_data = node.keyspace == master.keyspace;
            let same_offset = node.repl.offset == master.repl.offset;
            if !same_data || !same_offset || !up.is_connected() {
                failures.push(format!(
                    "seed {seed}: replica {port} state {:?} offset {} vs master {}, data equal: {same_data}",
                    up.state, node.repl.offset, master.repl.offset
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

