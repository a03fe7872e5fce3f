//! `cargo bench --bench engine`: the engine's speed, printed as a table.
//! Native figures for fast-forward, a 1-million-key full sync and the
//! simulated command rate, beside a real redis-server pair measured with
//! redis-benchmark on the same machine (skipped, with a note, if it is not
//! installed).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use replscope::engine::scenario::{Runner, parse};

fn run(runner: &mut Runner, script: &str) {
    for (_, _, d) in parse(script).expect("valid bench script") {
        runner.run(&d);
    }
}

/// One virtual hour (or `BENCH_FF`), 3 replicas, 1,000 writes a second
/// (3.6 million SETs): wall seconds, SETs issued and the span's name.
fn fast_forward() -> (f64, u64, String) {
    let mut r = Runner::new(1);
    run(
        &mut r,
        "node 6379\nnode 6380 --replicaof 127.0.0.1 6379\nnode 6381 --replicaof 127.0.0.1 6379\nnode 6382 --replicaof 127.0.0.1 6379\nwait 10s\nload 6379 1000 32",
    );
    // BENCH_FF=5m shortens the run (for profiling).
    let span = std::env::var("BENCH_FF").unwrap_or_else(|_| "1h".into());
    let t = Instant::now();
    run(&mut r, &format!("wait {span}"));
    let secs = t.elapsed().as_secs_f64();
    let master = r.sim.node(6379).expect("master");
    for p in [6380, 6381, 6382] {
        assert!(
            r.sim.node(p).expect("replica").repl.offset + 1000 > master.repl.offset
        );
    }
    (secs, r.sim.loads[&6379].issued, span)
}

/// A full sync of a 1,000,000-key dataset: RDB generation, transfer, load.
fn big_sync() -> (f64, usize, f64) {
    let mut r = Runner::new(2);
    run(
        &mut r,
        "node 6379 --repl-diskless-sync-delay 0\n6379> DEBUG POPULATE 1000000 key 16\nnode 6380",
    );
    let t = Instant::now();
    run(&mut r, "6380> REPLICAOF 127.0.0.1 6379");
    let deadline = r.sim.now + 600_000;
    let mut longest = 0f64;
    while r
        .sim
        .node(6380)
        .and_then(|n| n.upstream.as_ref())
        .is_some_and(|u| !u.is_connected())
        && r.sim.now < deadline
    {
        let s = Instant::now();
        r.sim.step();
        longest = longest.max(s.elapsed().as_secs_f64());
    }
    let secs = t.elapsed().as_secs_f64();
    let keys = r.sim.node(6380).expect("replica").keyspace.dbs[0]
        .entries
        .len();
    assert_eq!(keys, 1_000_000, "the replica loaded every key");
    (secs, keys, longest)
}

/// SETs a second through the simulator with one replica attached.
fn command_rate() -> f64 {
    let mut r = Runner::new(3);
    run(
        &mut r,
        "node 6379\nnode 6380 --replicaof 127.0.0.1 6379\nwait 7s",
    );
    let n = 300_000u64;
    let t = Instant::now();
    for i in 0..n {
        let argv = vec![
            b"SET".to_vec(),
            format!("key:{}", i % 10_000).into_bytes(),
            b"xxxxxxxx".to_vec(),
        ];
        r.sim.command(6379, 7, argv).expect("master up");
        if i % 100 == 0 {
            r.sim.advance(1);
        }
    }
    n as f64 / t.elapsed().as_secs_f64()
}

/// A redis-server process killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn server(port: u16, extra: &[&str]) -> Option<Server> {
    let dir = std::env::temp_dir();
    let mut args = vec![
        "--port".to_string(),
        port.to_string(),
        "--bind".into(),
        "127.0.0.1".into(),
        "--save".into(),
        "".into(),
        "--appendonly".into(),
        "no".into(),
        "--dir".into(),
        dir.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let child = Command::new("redis-server")
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_millis(300));
    Some(Server(child))
}

/// redis-benchmark SET throughput against a real master with a replica.
fn real_redis(pipeline: u32) -> Option<f64> {
    let _master = server(21500, &[])?;
    let _replica = server(21501, &["--replicaof", "127.0.0.1", "21500"])?;
    std::thread::sleep(Duration::from_millis(1500));
    let out = Command::new("redis-benchmark")
        .args([
            "-p",
            "21500",
            "-t",
            "set",
            "-n",
            "200000",
            "-q",
            "-P",
            &pipeline.to_string(),
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .split(['\n', '\r'])
        .rev()
        .find(|l| l.starts_with("SET:") && l.contains("requests per second"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    println!("replscope engine benchmarks (native, release)");
    println!("| figure | value | target |");
    println!("|---|---|---|");
    // BENCH_ONLY=ff|sync|rate runs one figure (for profiling).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let want = |name: &str| only.is_empty() || only == name;
    if want("ff") {
        let (secs, writes, span) = fast_forward();
        let span = if span == "1h" { "1 virtual hour".to_string() } else { format!("{span} virtual (BENCH_FF)") };
        println!(
            "| {span}, 3 replicas, 1000 writes/s ({writes} SETs) | {secs:.2} s | browser ≤ 2 s |"
        );
    }
    if want("sync") {
        let (secs, keys, longest) = big_sync();
        println!("| full sync of {keys} keys (RDB, transfer, load) | {secs:.2} s | ≤ 1 s |");
        println!("| longest single simulation step in that sync | {:.0} ms | |", longest * 1000.0);
    }
    if !want("rate") {
        return;
    }
    let rate = command_rate();
    println!(
        "| simulated SET rate, 1 replica attached | {:.0} /s | |",
        rate
    );
    match (real_redis(1), real_redis(16)) {
        (Some(plain), Some(piped)) => {
            println!("| real redis-server 7.0 + replica, redis-benchmark SET | {plain:.0} /s | |");
            println!("| real redis-server 7.0 + replica, SET pipelined ×16 | {piped:.0} /s | |");
            println!("| simulated rate / real rate | {:.2} | |", rate / plain);
        }
        _ => println!(
            "| real redis-server | not measured: redis-server or redis-benchmark missing | |"
        ),
    }
}
