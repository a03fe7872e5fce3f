//! Conformance: every scenario in `tests/conformance/*.scn` runs on the
//! simulator (`scenario::run_script`) and on real `redis-server` 7.0 processes
//! (`conformance/reference.rs`); both transcripts are normalized
//! (`conformance/normalize.rs`) and must be equal line by line.
//!
//! Run: `cargo test --test conformance -- --nocapture`. The table is printed
//! and written to `target/conformance.md`; both transcripts of every scenario
//! are kept in `target/conformance-tmp/<scenario>/{real,sim}.txt`.
//! `CONFORMANCE_ONLY=substring` restricts the run to matching scenarios.
//!
//! A scenario in [`EXPECTED_FAILURES`] documents a known engine bug: it must
//! differ (the suite fails if it starts passing, so the list stays honest).

#[path = "conformance/load.rs"]
mod load;
#[path = "conformance/normalize.rs"]
mod normalize;
#[path = "conformance/reference.rs"]
mod reference;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use replscope::engine::scenario;

/// Scenarios that differ from real Redis because of an engine bug, with a
/// one-line diagnosis. Remove an entry when the engine is fixed.
const EXPECTED_FAILURES: &[(&str, &str)] = &[];

/// Parallel scenario runs (the real side mostly sleeps).
const THREADS: usize = 5;

/// The outcome of one scenario.
struct Outcome {
    name: String,
    compared: usize,
    equal: usize,
    diff: String,
    seconds: f64,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_one(index: usize, path: &Path) -> Outcome {
    let name = path.file_stem().expect("file name").to_string_lossy().into_owned();
    let script = std::fs::read_to_string(path).expect("readable scenario");
    let directives = scenario::parse(&script).unwrap_or_else(|e| panic!("{name}: {e}"));
    let texts: Vec<String> = directives.iter().map(|(_, t, _)| t.clone()).collect();
    let outcome_only = script.contains("# conformance: outcome-only");
    let refused = script.contains("# conformance: ignore-refused-reconnects");
    let settle = !script.contains("# conformance: no-settle");
    let sim = scenario::run_script(&script).unwrap_or_else(|e| panic!("{name}: {e}"));
    let tmp = root().join("target/conformance-tmp").join(&name);
    let started = std::time::Instant::now();
    let b = normalize::normalize(&sim, &texts, outcome_only, refused);
    // The real servers run on wall time, five scenarios at once: on a busy
    // machine a race can go the other way (a replica reconnecting before
    // the restarted master's first replication cron gets a PING more). A
    // scenario that differs is run once more against redis-server, and the
    // second run is the one compared (the simulator's run is the same
    // every time).
    let mut attempt = 0;
    loop {
        let real = {
            let base = 21000 + 20 * index as u16;
            assert!(base + 20 <= 21999, "too many scenarios for the port range 21000-21999");
            let mut r = reference::Reference::new(&tmp.join("nodes"), base, &directives, settle);
            r.run_script(&directives)
        };
        let _ = std::fs::write(tmp.join("real.txt"), &real);
        let _ = std::fs::write(tmp.join("sim.txt"), &sim);
        let a = normalize::normalize(&real, &texts, outcome_only, refused);
        let (equal, diff) = normalize::diff(&a, &b);
        attempt += 1;
        if diff.is_empty() || attempt == 2 {
            let seconds = started.elapsed().as_secs_f64();
            return Outcome { name, compared: a.len().max(b.len()), equal, diff, seconds };
        }
    }
}

fn check_redis_server() {
    let out = std::process::Command::new("redis-server").arg("--version").output();
    match out {
        Ok(o) if String::from_utf8_lossy(&o.stdout).contains("v=7.0.") => {}
        Ok(o) => panic!(
            "conformance needs redis-server 7.0.x, found: {}",
            String::from_utf8_lossy(&o.stdout).trim()
        ),
        Err(e) => panic!(
            "conformance needs redis-server 7.0 on PATH (apt-get install redis-server), \
             and could not run it: {e}"
        ),
    }
}

/// Holds 127.0.0.1:21999 for the whole run: a second run of the suite (for
/// example another `cargo test` on the same machine) waits here instead of
/// colliding on ports and directories.
fn suite_lock() -> std::net::TcpListener {
    let start = std::time::Instant::now();
    loop {
        match std::net::TcpListener::bind("127.0.0.1:21999") {
            Ok(l) => return l,
            Err(_) if start.elapsed() < std::time::Duration::from_secs(600) => {
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            Err(e) => panic!("conformance: port 21999 (the suite lock) stays busy: {e}"),
        }
    }
}

#[test]
fn conformance() {
    check_redis_server();
    let _lock = suite_lock();
    let dir = root().join("tests/conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/conformance")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "scn"))
        .collect();
    files.sort();
    for (name, _) in EXPECTED_FAILURES {
        assert!(files.iter().any(|f| f.file_stem().is_some_and(|s| s == *name)), "EXPECTED_FAILURES names a missing scenario {name}");
    }
    let only = std::env::var("CONFORMANCE_ONLY").ok();
    let jobs: Vec<(usize, PathBuf)> = files
        .into_iter()
        .enumerate()
        .filter(|(_, f)| only.as_ref().is_none_or(|o| f.to_string_lossy().contains(o.as_str())))
        .collect();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                while let Some((i, f)) = jobs.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let o = run_one(*i, f);
                    results.lock().expect("results").push(o);
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by(|a, b| a.name.cmp(&b.name));

    let mut problems = Vec::new();
    let mut report = String::from("| scenario | lines compared | lines equal | status | real seconds |\n|---|---|---|---|---|\n");
    let mut diffs = String::new();
    for o in &results {
        let expected = EXPECTED_FAILURES.iter().find(|(n, _)| *n == o.name);
        let same = o.diff.is_empty();
        let status = match (same, expected) {
            (true, None) => "pass".to_string(),
            (false, Some((_, why))) => format!("expected failure: {why}"),
            (true, Some(_)) => {
                problems.push(format!("{}: now passes; remove it from EXPECTED_FAILURES", o.name));
                "UNEXPECTED PASS".to_string()
            }
            (false, None) => {
                problems.push(format!("{}: differs from real redis-server", o.name));
                "FAIL".to_string()
            }
        };
        report.push_str(&format!("| {} | {} | {} | {} | {:.1} |\n", o.name, o.compared, o.equal, status, o.seconds));
        if !same {
            diffs.push_str(&format!("\n### {} (- real redis-server, + simulator)\n```\n{}```\n", o.name, o.diff));
        }
    }
    let total: (usize, usize) = results.iter().fold((0, 0), |t, o| (t.0 + o.compared, t.1 + o.equal));
    report.push_str(&format!("| **total ({} scenarios)** | {} | {} | | |\n", results.len(), total.0, total.1));
    let md = format!("# Conformance: simulator vs redis-server 7.0\n\n{report}\n## Differences\n{diffs}");
    let _ = std::fs::write(root().join("target/conformance.md"), &md);
    println!("{md}");
    assert!(problems.is_empty(), "conformance problems:\n{}", problems.join("\n"));
}
