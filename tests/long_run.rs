//! One virtual hour with three replicas and 100 writes a second: the
//! replicas stay in step and memory stays bounded (the backlog is trimmed,
//! logs are capped). Takes a few seconds in a debug build.

use replscope::engine::scenario::{parse, Runner};

#[test]
fn one_virtual_hour_with_three_replicas_stays_in_step() {
    let script = "node 6379\nnode 6380 --replicaof 127.0.0.1 6379\nnode 6381 --replicaof 127.0.0.1 6379\nnode 6382 --replicaof 127.0.0.1 6379\nwait 10s\nload 6379 100 32\nwait 1h\nload 6379 0\nwait 2s";
    let mut runner = Runner::new(0);
    for (_, _, d) in parse(script).unwrap() {
        runner.run(&d);
    }
    let sim = &runner.sim;
    let master = sim.node(6379).unwrap();
    assert_eq!(sim.loads.len(), 0);
    // 360,000 SETs of 57 bytes each (plus SELECT and PINGs every 10 s).
    assert!(master.repl.offset > 360_000 * 57, "offset {}", master.repl.offset);
    let backlog = master.backlog.as_ref().unwrap();
    assert!(backlog.repl_backlog_histlen() < 1_048_576 + 82_000, "backlog trimmed to about its size");
    for port in [6380, 6381, 6382] {
        let r = sim.node(port).unwrap();
        assert_eq!(r.repl.offset, master.repl.offset, "replica {port} caught up");
        assert_eq!(r.keyspace, master.keyspace, "replica {port} has the master's data");
        assert!(r.log.written() < 100, "no reconnects: {} log lines", r.log.written());
    }
    assert_eq!(master.stats.sync_full, 3);
}
